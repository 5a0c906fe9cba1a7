/**
 * A Redis of the test's own (`redis-server --port N --save ''`), so a test may stop, freeze and
 * restart it without touching the shared one on 6379. Without the binary the test is skipped,
 * or fails when services are required (CI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../apps/handler.ts';
import { servicesRequired } from '../helpers/services.ts';

export async function needsRedisServer(t: TestContext): Promise<boolean> {
  if (spawnSync('redis-server', ['--version']).status === 0) return true;
  if (servicesRequired()) throw new Error('redis-server is required for the outage suite (apt-get install redis-server)');
  t.skip('SKIPPED: no redis-server binary');
  return false;
}

export class PrivateRedis {
  private child: ChildProcess | null = null;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again, on the same port after a stop) and resolves once it answers PING. */
  async start(): Promise<this> {
    this.port ||= await freePort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (;;) {
        try {
          await probe.connect();
          await probe.ping();
          return this;
        } catch {
          probe.disconnect();
          await sleep(20);
        }
      }
    } finally {
      probe.disconnect();
    }
  }

  /** Kills it (SIGKILL: an outage, not a polite shutdown) and waits for the process to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  /** SIGSTOP: connections stay open, commands are never answered (a hung Redis). */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }
}
