/** A notify24 node as an operator runs it: `notify24 serve` in its own process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

export interface NodeProcess {
  /** `http://127.0.0.1:port` */
  url: string;
  /** The admin webhook base URL the node printed on first start (only the first node of a database). */
  hook: string | null;
  output(): string;
  /** What it wrote to stderr (the log). */
  log(): string;
  /** Sends a signal (SIGTERM: the graceful shutdown). */
  kill(signal: NodeJS.Signals): void;
  /** Its exit code, once it has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/**
 * Spawns `bin/notify24.js serve` on free ports with the given NOTIFY24_* settings and resolves
 * once it printed its URLs. Every node gets its own data folder, as on separate machines.
 */
export async function startNode(env: Record<string, string>, options: { expectHook?: boolean } = {}): Promise<NodeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'notify24-node-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/notify24.js', 'serve'], {
    env: {
      ...process.env,
      NOTIFY24_DATA_DIR: dataDir,
      NOTIFY24_PORT: '0',
      NOTIFY24_HTTPS_PORT: 'off',
      NOTIFY24_LOG_LEVEL: 'warn',
      NOTIFY24_RATE_LIMIT: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (text += String(d)));
  child.stderr!.on('data', (d) => {
    text += String(d);
    stderr += String(d);
  });
  const exited = once(child, 'exit');

  const started = Date.now();
  const hookLine = /^\s+(http:\/\/\S+\/rest\/\d+\/\S+\/)\s*$/m;
  const ready = () => /^database: /m.test(text) && (!options.expectHook || hookLine.test(text));
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`node exited (${child.exitCode}):\n${text}`);
    if (Date.now() - started > START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`node did not start in ${START_TIMEOUT_MS} ms:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (http:\/\/[^\s]+)/.exec(text)![1]!;
  const hook = hookLine.exec(text)?.[1] ?? null;
  return {
    url,
    hook,
    output: () => text,
    log: () => stderr,
    kill: (signal) => void child.kill(signal),
    exited: exited.then(([code]) => code as number | null),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Keeps `workers` loops calling `call(worker, i)` on `node` until `enough()` holds, then kills
 * the node with SIGKILL in the middle of that load. Resolves with the number of calls the kill
 * cut off (each loop ends at its first failed call): a crash test wants that above zero.
 */
export async function killUnderLoad(node: NodeProcess, workers: number, call: (worker: number, i: number) => Promise<void>, enough: () => boolean): Promise<number> {
  let stop = false;
  let cutOff = 0;
  const loop = async (worker: number) => {
    for (let i = 0; !stop; i++) {
      try {
        await call(worker, i);
      } catch {
        cutOff++;
        return;
      }
    }
  };
  const loops = Array.from({ length: workers }, (_, w) => loop(w));
  while (!enough()) await new Promise((r) => setTimeout(r, 5));
  node.kill('SIGKILL');
  await node.exited;
  stop = true;
  await Promise.all(loops);
  return cutOff;
}
