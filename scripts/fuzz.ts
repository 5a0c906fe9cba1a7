// `npm run fuzz -- --runs N [--http-share 0.1] [--seed S] [--store sqlite|postgres] [--shrink]`:
// a long run of the fuzz suite (test/fuzz/): N inputs in all, `--http-share` of them through the
// real server over HTTP (split over the HTTP properties by weight), the rest over the decoders in-process
// (split over the decoder properties by weight: cheap ones get more). Prints progress, then inputs, time and findings per
// property; exits 1 when anything was found. `npm test` runs a bounded slice of the same.
import { parseArgs } from 'node:util';
import { decoderProperties, httpProperties, runProperties, startFuzzTarget, stillAnswers, type PropertyResult } from '../test/fuzz/run.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    'http-share': { type: 'string', default: '0.1' },
    seed: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
    round: { type: 'string', default: '2000' },
    shrink: { type: 'boolean', default: false },
  },
});
const total = Number(values.runs);
const httpShare = Number(values['http-share']);
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
if (!Number.isInteger(total) || total <= 0 || !(httpShare >= 0 && httpShare <= 1)) {
  console.error('usage: npm run fuzz -- --runs N [--http-share 0..1] [--seed S] [--store sqlite|postgres] [--shrink]');
  process.exit(2);
}
if (values.store === 'postgres') process.env.NOTIFY24_TEST_STORE = 'postgres';

const target = await startFuzzTarget();
const decoders = decoderProperties();
const http = httpProperties(target);
const httpRuns = Math.round(total * httpShare);
const decoderRuns = total - httpRuns;
const weightOf = (list: { weight: number }[]) => list.reduce((w, p) => w + p.weight, 0);
const runsOf = (p: { kind: string; weight: number }) =>
  p.kind === 'http' ? Math.ceil((httpRuns * p.weight) / weightOf(http)) : Math.ceil((decoderRuns * p.weight) / weightOf(decoders));

console.log(`fuzz: ${total} inputs (${decoderRuns} decoder, ${httpRuns} HTTP), seed ${seed}, store ${values.store}`);
const began = performance.now();
const line = (r: PropertyResult) =>
  `${r.kind.padEnd(7)} ${String(r.runs).padStart(9)} inputs ${(r.ms / 1000).toFixed(1).padStart(8)} s  ${r.failure ? 'FOUND' : 'ok'}  ${r.name}`;
const results = await runProperties([...decoders, ...http], (p) => (httpRuns === 0 && p.kind === 'http' ? 0 : runsOf(p)), {
  seed,
  round: Number(values.round),
  shrink: values.shrink,
  after: () => stillAnswers(target.ts),
  progress: (r) => console.log(`  … ${line(r)}`),
});
await stillAnswers(target.ts);
await target.close();

const seconds = (performance.now() - began) / 1000;
console.log('\nresults');
for (const r of results) console.log(line(r));
const inputs = results.reduce((n, r) => n + r.runs, 0);
console.log(`${inputs} inputs in ${seconds.toFixed(0)} s; server.time answered after every round and at the end`);
const found = results.filter((r) => r.failure);
for (const r of found) console.log(`\nFOUND in ${r.name}:\n${r.failure}`);
process.exit(found.length ? 1 : 0);
