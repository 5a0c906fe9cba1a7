/** The REST rows: what each one sends, and what its note says. */
import type { Dataset } from './dataset.ts';
import { EDGE_CASE } from './edge.ts';
import { IdCursor, batchRequest, getRequest, mixedRequests, readRequest, sendRequest } from './notify24.ts';
import { size } from './report.ts';
import type { RestCase } from './rows.ts';

const stored = (_r: unknown, ds: Dataset) => `${size(ds.size)} stored`;

export const CASES: Record<string, RestCase> = {
  edge: EDGE_CASE,
  send: { name: 'im.notify.system.add', requests: (ds) => [sendRequest(ds.webhookCode, 1)], note: stored },
  get: { name: 'im.notify.get (50 items)', requests: (ds) => [getRequest(ds.webhookCode)], note: stored },
  read: {
    name: 'im.notify.read (one id)',
    requests: (ds) => [readRequest(ds.webhookCode, new IdCursor(1, 1, 1, ds.maxId))],
    note: stored,
  },
  mixed: {
    name: 'mixed 70 % get / 25 % send / 5 % delete',
    requests: (ds) => mixedRequests(ds.webhookCode, new IdCursor(ds.maxId + 1, 1)),
    note: stored,
  },
  batch: {
    name: 'batch of 50 im.notify.system.add',
    requests: (ds) => [batchRequest(ds.webhookCode)],
    note: (r, ds) => `${Math.round(r.rps * 50).toLocaleString('en-US')} calls/s; ${stored(r, ds)}`,
  },
};

