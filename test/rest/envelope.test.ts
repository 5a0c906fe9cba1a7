import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bodyBytes } from '../../src/http/reply.ts';
import { JsonText, envelopeJson, successBody, successJson } from '../../src/rest/json-text.ts';
import type { CallOutcome } from '../../src/rest/method.ts';
import { timeBlock } from '../../src/rest/time.ts';

// The REST edge writes a successful call's envelope field by field (successJson); it must be
// the very text the generic serialiser makes of the same envelope, for any result and time.
const results = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
  fc.string(),
  fc.double(),
  fc.jsonValue().map((v) => JsonText.of(JSON.stringify(v) ?? 'null')),
);
const ms = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }));
const outcomes = fc.record(
  {
    result: results,
    next: fc.option(fc.integer(), { nil: undefined }),
    total: fc.option(fc.integer(), { nil: undefined }),
    start: ms,
    took: fc.double({ min: 0, max: 100_000, noNaN: true }),
    processing: fc.oneof(fc.double({ min: 0, max: 100_000 }), fc.constant(Number.NaN)),
    operating: fc.double(),
    resetAt: fc.integer(),
  },
  { requiredKeys: ['result', 'start', 'took', 'processing', 'operating', 'resetAt'] },
);

test('successJson writes exactly what JSON.stringify makes of the envelope', () => {
  fc.assert(
    fc.property(outcomes, (o) => {
      const outcome: CallOutcome = { result: o.result, time: timeBlock(o.start, o.start + o.took, o.processing, { operating: o.operating, resetAt: o.resetAt }) };
      if (o.next !== undefined) outcome.next = o.next;
      if (o.total !== undefined) outcome.total = o.total;
      const expected = envelopeJson(successBody(outcome));
      assert.equal(bodyBytes(successJson(outcome)).toString(), String(expected));
      // Twice: the second reuses the texts of the same start, finish and dates.
      assert.equal(bodyBytes(successJson(outcome)).toString(), String(expected));
    }),
    { numRuns: 2000 },
  );
});
