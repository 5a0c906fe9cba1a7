import type { CallOutcome } from './method.ts';
import { timeJson } from './time.ts';
/**
 * A method result already written as JSON, for answers whose JSON is cheaper to build from
 * stored pieces than from objects (a page of notifications). It is kept as UTF-8 pieces: the
 * REST edge writes them into the envelope as bytes, with no string to flatten or encode.
 * Anything that needs the value itself (XML, the request inspector, a plain `JSON.stringify`)
 * gets it parsed back, which gives the same bytes when serialised again.
 */
export class JsonText {
  private parsed: unknown;
  private isParsed = false;

  /** `parts` joined are the JSON text; each part holds whole characters. */
  constructor(readonly parts: readonly Buffer[]) {}

  static of(text: string): JsonText {
    return new JsonText([Buffer.from(text)]);
  }

  get text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }

  /** The value the text stands for (parsed once, on first use). */
  value(): unknown {
    if (!this.isParsed) {
      this.parsed = JSON.parse(this.text);
      this.isParsed = true;
    }
    return this.parsed;
  }

  toJSON(): unknown {
    return this.value();
  }
}

/** `value` itself, or the value a JsonText stands for. */
export function plainValue(value: unknown): unknown {
  return value instanceof JsonText ? value.value() : value;
}

const RESULT_KEY = Buffer.from('{"result":');

/** The envelope of a successful call, in the REST edge's key order: result, next, total, time. */
export function successBody(outcome: CallOutcome): Record<string, unknown> {
  const body: Record<string, unknown> = { result: outcome.result };
  if (outcome.next !== undefined) body.next = outcome.next;
  if (outcome.total !== undefined) body.total = outcome.total;
  body.time = outcome.time;
  return body;
}

/**
 * `envelopeJson(successBody(outcome))`, the same text, with the time block written by
 * `timeJson` instead of the generic serialiser (results it cannot write alone go the long way).
 */
export function successJson(outcome: CallOutcome): string | Buffer | readonly Buffer[] {
  const { result, next, total } = outcome;
  if (typeof next === 'object' || typeof total === 'object') return envelopeJson(successBody(outcome));
  // In pieces: the page's bytes go to the socket as kept, not copied into one buffer per answer.
  if (result instanceof JsonText) return [RESULT_KEY, ...result.parts, Buffer.from(envelopeTail(outcome))];
  const resultText = JSON.stringify(result) as string | undefined;
  if (resultText === undefined) return envelopeJson(successBody(outcome));
  return `{"result":${resultText}${envelopeTail(outcome)}`;
}

/** What follows the result in a success envelope whose `next` and `total` are scalars. */
function envelopeTail({ next, total, time }: CallOutcome): string {
  let text = '';
  if (next !== undefined) text += `,"next":${JSON.stringify(next)}`;
  if (total !== undefined) text += `,"total":${JSON.stringify(total)}`;
  return `${text},"time":${timeJson(time)}}`;
}

/**
 * `JSON.stringify(body)` for an envelope whose first key is `result`: as UTF-8 bytes when the
 * result is a JsonText (its pieces go in as they are; the keys after it — `next`, `total`,
 * `time` — are written as usual).
 */
export function envelopeJson(body: Record<string, unknown>): string | Buffer {
  const result = body.result;
  if (!(result instanceof JsonText)) return JSON.stringify(body);
  const rest: Record<string, unknown> = {};
  for (const key in body) if (key !== 'result') rest[key] = body[key];
  const tail = JSON.stringify(rest);
  return Buffer.concat([RESULT_KEY, ...result.parts, Buffer.from(tail === '{}' ? '}' : `,${tail.slice(1)}`)]);
}
