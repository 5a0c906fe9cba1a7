/**
 * `node --import tsx bench/push-cpu.ts [--subscribers 10000] [--sends 20] [--repeat 2] [--against <checkout>] [--floor] [--profile <dir>] [--perf <file>] [--rounds]`:
 * the broadcast push row alone (one signed-in user's N WebSockets, sends one after the other),
 * reported as what does not move much when other work shares the machine: the server's CPU per
 * delivered frame (user and system apart: the system share is the socket writes' kernel side),
 * its resident memory per idle connection, and the latency beside them for what it is worth.
 * `--against` runs another checkout's server on the same data, alternating with this one;
 * `--floor` alternates with the push floor (bench/push-floor-server.ts: one write per socket, nothing else).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pinSelf, placement, spawnServer } from './lib/child.ts';
import { perfNodeFlags } from './lib/perf-record.ts';
import { makeBase, makeDataset, runCopy, type Dataset } from './lib/dataset.ts';
import { serverArgs, serverEnv } from './lib/notify24.ts';
import { measureSubscribers, signIn, type PushFigures } from './lib/push.ts';

/** User and system CPU seconds of a process so far (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

interface Run {
  usPerFrame: number;
  userUs: number;
  systemUs: number;
  kib: number;
  p50: number;
  p99: number;
  rounds: PushFigures['rounds'];
}

/** What runs the broadcast: a notify24 checkout (this one when `root` is undefined), or the push floor. */
type Side = { label: string; root: string | undefined; floor?: true };

async function once(ds: Dataset, workDir: string, n: number, sends: number, side: Side, profile: string | undefined, perf: string | undefined): Promise<Run> {
  const copy = runCopy(ds, workDir, 'push-cpu');
  const p = placement();
  const nodeFlags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : perf ? perfNodeFlags(workDir) : [];
  const server = side.floor
    ? await spawnServer({ args: ['--import', 'tsx', 'bench/push-floor-server.ts'], readyPath: '/readyz', placement: p })
    : await spawnServer({ args: serverArgs(), env: serverEnv(copy.dir), readyPath: '/readyz', placement: p, cwd: side.root, nodeFlags });
  try {
    const cookie = await signIn(server.url);
    if (!cookie) throw new Error('no web login');
    const subscribers = Array.from({ length: n }, () => ({ cookie, userId: ds.webUserId }));
    let before = { user: 0, system: 0 };
    const perfRun: { recorder: ChildProcess | null } = { recorder: null };
    const window = { from: 0n, to: 0n };
    let after = { user: 0, system: 0 };
    // The split is read around the send rounds: at the first send's target, and once the last
    // send's receipts are in (before the connections close).
    const plan = {
      subscribers,
      sends,
      processes: 4,
      target: (k: number) => {
        if (k === 0) {
          before = cpuSplit(server.pid);
          window.from = process.hrtime.bigint() / 1000n;
          if (perf) perfRun.recorder = spawn('perf', ['record', '-g', '-o', perf, '-p', String(server.pid)], { stdio: 'ignore' });
        }
        return ds.webUserId;
      },
      roundsDone: () => {
        after = cpuSplit(server.pid);
        window.to = process.hrtime.bigint() / 1000n;
        perfRun.recorder?.kill('SIGINT');
      },
    };
    const f = await measureSubscribers(server, ds.webhookCode, plan, p);
    // The send phase on the monotonic clock (µs), as a V8 CPU profile's timestamps count it.
    if (profile) console.log(`send phase: ${window.from}..${window.to} µs`);
    const { recorder } = perfRun;
    if (recorder && recorder.exitCode === null) await new Promise((r) => recorder.once('exit', r));
    const frames = f.subscribers * f.sends;
    return {
      usPerFrame: (f.serverCpuS * 1e6) / frames,
      userUs: ((after.user - before.user) * 1e6) / frames,
      systemUs: ((after.system - before.system) * 1e6) / frames,
      kib: f.kibPerSubscriber,
      p50: f.p50,
      p99: f.p99,
      rounds: f.rounds,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'boolean' }, subscribers: { type: 'string' }, sends: { type: 'string' }, repeat: { type: 'string' }, against: { type: 'string' }, floor: { type: 'boolean' }, profile: { type: 'string' }, perf: { type: 'string' } },
  });
  const n = Number(values.subscribers ?? 10_000);
  const sends = Number(values.sends ?? 20);
  const repeat = Number(values.repeat ?? 2);
  const sides: Side[] = [{ label: 'this checkout', root: undefined }];
  if (values.against) sides.push({ label: resolve(values.against), root: resolve(values.against) });
  if (values.floor) sides.push({ label: 'push floor', root: undefined, floor: true });
  const p = placement();
  pinSelf(p);
  const workDir = mkdtempSync(join(tmpdir(), 'notify24-push-cpu-'));
  try {
    const ds = makeDataset(await makeBase(workDir, p), workDir, 1000);
    console.log(`push broadcast: ${n} WebSockets of one user, ${sends} sends, ${repeat} runs per side`);
    for (let i = 0; i < repeat; i++) {
      for (const side of sides) {
        const own = side.root === undefined && !side.floor;
        const r = await once(ds, workDir, n, sends, side, values.profile && own ? resolve(values.profile) : undefined, values.perf && own ? resolve(values.perf) : undefined);
        console.log(
          `${side.label.padEnd(28)} server CPU ${r.usPerFrame.toFixed(2)} µs/frame (user ${r.userUs.toFixed(2)}, system ${r.systemUs.toFixed(2)}), ` +
            `${r.kib.toFixed(2)} KiB RSS/idle connection, p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, load ${loadavg()[0]!.toFixed(1)}`,
        );
        if (values.rounds) console.log(`  each send (first receipt/p50/p99/last, ms): ${r.rounds.map((x) => [x.min, x.p50, x.p99, x.max].map((v) => v.toFixed(0)).join('/')).join(' ')}`);
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
