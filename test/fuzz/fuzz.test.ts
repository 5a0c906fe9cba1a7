/**
 * A bounded slice of the fuzz suite (the long runs: `npm run fuzz -- --runs N`): hostile
 * inputs for the parameter decoders in-process and for every registered REST method and the
 * web endpoints over HTTP. Property: no 5xx but the deliberate ones, no crash, no error logged,
 * every answer parses (JSON; XML with a strict parser), and the server answers `server.time`
 * afterwards. The seed changes every run (printed on failure, with the counterexample);
 * NOTIFY24_FUZZ_SEED replays one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decoderProperties, httpProperties, runProperties, startFuzzTarget, stillAnswers } from './run.ts';

const SEED = Number(process.env.NOTIFY24_FUZZ_SEED ?? Date.now() % 2 ** 31);
const DECODER_RUNS = 250;
const HTTP_RUNS = 200;

let target: Awaited<ReturnType<typeof startFuzzTarget>>;
before(async () => {
  target = await startFuzzTarget();
});
after(() => target.close());

test(`decoders hold for hostile input (seed ${SEED})`, async () => {
  const results = await runProperties(decoderProperties(), () => DECODER_RUNS, { seed: SEED, shrink: true });
  for (const r of results) assert.equal(r.failure, null, `${r.name}: ${r.failure}`);
});

test(`every REST method and web endpoint holds over HTTP (seed ${SEED})`, async () => {
  const results = await runProperties(httpProperties(target), () => HTTP_RUNS, { seed: SEED, shrink: true, after: () => stillAnswers(target.ts) });
  for (const r of results) assert.equal(r.failure, null, `${r.name}: ${r.failure}`);
  await stillAnswers(target.ts);
});
