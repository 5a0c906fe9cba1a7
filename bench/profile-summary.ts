/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]`: the functions a V8 CPU
 * profile (`node --cpu-prof`) spent the most self time in, and the same time by source area.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample; sample i's time is timeDeltas[i + 1]. */
  timeDeltas: number[];
}

export interface Entry {
  label: string;
  ms: number;
  share: number;
}

const ROOT = pathToFileURL(new URL('../', import.meta.url).pathname).href;

function where(url: string): string {
  if (!url) return '';
  return url.replace(ROOT, '').replace(/^file:\/\//, '');
}

/** Groups a frame's file into an area a reader can act on. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const file = where(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `package ${pkg[1]}`;
  if (file.startsWith('node:')) return file.split('/').slice(0, 2).join('/');
  const dir = /^(src\/[^/]+|bench|bin)/.exec(file);
  return dir ? dir[1]! : file;
}

/** tsx hands V8 transformed TypeScript, whose line numbers match nothing a reader can open. */
function line(f: ProfileNode['callFrame']): string {
  return f.url.endsWith('.ts') ? '' : `:${f.lineNumber + 1}`;
}

function top(map: Map<string, number>, total: number, n: number): Entry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([label, us]) => ({ label, ms: us / 1000, share: us / total }));
}

/** Self time: each sample's interval is charged to the frame on top of the stack. */
export function summarise(profile: CpuProfile, n = 25): { totalMs: number; functions: Entry[]; areas: Entry[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const f = byId.get(id)!.callFrame;
    const label = `${f.functionName || '(anonymous)'}${f.url ? ` ${where(f.url)}${line(f)}` : ''}`;
    fns.set(label, (fns.get(label) ?? 0) + us);
    const a = area(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    total += us;
  });
  return { totalMs: total / 1000, functions: top(fns, total, n), areas: top(areas, total, 15) };
}

export function formatSummary(s: ReturnType<typeof summarise>): string {
  const line = (e: Entry) => `${e.ms.toFixed(0).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)} %  ${e.label}`;
  return [
    `profile: ${(s.totalMs / 1000).toFixed(1)} s sampled`,
    '',
    'top functions by self time:',
    ...s.functions.map(line),
    '',
    'self time by area:',
    ...s.areas.map(line),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(n ?? 25))));
}
