/**
 * A method result already written as JSON text, for answers whose JSON is cheaper to build as
 * a string than as objects (a page of notifications). The REST edge splices the text into the
 * envelope as it is; anything that needs the value itself (XML, the request inspector, a plain
 * `JSON.stringify`) gets it parsed back, which gives the same bytes when serialised again.
 */
export class JsonText {
  private parsed: unknown;
  private isParsed = false;

  constructor(readonly text: string) {}

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

/**
 * `JSON.stringify(body)` for an envelope whose first key is `result`: a JsonText result goes in
 * as its text, the keys after it (`next`, `total`, `time`) are written as usual.
 */
export function envelopeJson(body: Record<string, unknown>): string {
  const result = body.result;
  if (!(result instanceof JsonText)) return JSON.stringify(body);
  const rest: Record<string, unknown> = {};
  for (const key in body) if (key !== 'result') rest[key] = body[key];
  const tail = JSON.stringify(rest);
  return tail === '{}' ? `{"result":${result.text}}` : `{"result":${result.text},${tail.slice(1)}`;
}
