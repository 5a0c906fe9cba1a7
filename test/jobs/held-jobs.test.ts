import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_DELIVERY } from '../../src/jobs/jobs.ts';
import { startTestServer } from '../helpers/server.ts';

test('a server started with holdJobs runs no job until startJobs(); a second startJobs() changes nothing', async () => {
  const t = await startTestServer({}, { holdJobs: true });
  try {
    const { jobs } = t.server.services;
    await assert.rejects(jobs.runNow(EVENT_DELIVERY), /no job event-delivery/);
    t.server.startJobs();
    t.server.startJobs();
    await jobs.runNow(EVENT_DELIVERY);
  } finally {
    await t.close();
  }
});

test('without holdJobs the jobs run from the start', async () => {
  const t = await startTestServer();
  try {
    await t.server.services.jobs.runNow(EVENT_DELIVERY);
  } finally {
    await t.close();
  }
});
