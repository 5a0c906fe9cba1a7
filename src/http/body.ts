import type Busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { RawParams } from '../rest/params.ts';
import { isMap } from '../rest/php.ts';
import { checkShape } from '../rest/shape.ts';
import { parsePhpFields, parsePhpQuery } from '../lib/php-query.ts';
import { errors } from '../errors/rest.ts';
import { webErrors } from '../errors/web.ts';
import { lazyRequire } from '../lib/lazy-require.ts';

/** Loaded at the first multipart body. */
const busboy = lazyRequire<typeof Busboy>('busboy');

/**
 * Reads the whole body, refusing more than `limit` bytes without buffering the excess: a
 * declared length over it is refused before reading (the body is drained), an undeclared one
 * once it passes the limit (the request is destroyed, so its connection closes).
 * WHY events, not `for await`: the stream's async iterator costs a promise and a microtask per
 * chunk, a visible share of a small REST call.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(errors.requestTooLarge(limit));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(errors.requestTooLarge(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
    // Closed before its end (the client went away): nothing more will come.
    req.once('close', () => {
      if (!req.readableEnded) reject(new Error('request closed before its body ended'));
    });
  });
}

/**
 * The whole body at once when the HTTP parser already has all of it (the message is complete
 * and nobody has started reading it), else null: `readBody` then waits for it.
 * WHY: a request that waited for its turn (admission) or whose body came with its head is
 * complete by the time it is handled, and the REST edge can then answer in the same turn,
 * without a promise, a listener per stream event and the microtasks they cost.
 */
export function bodyNow(req: IncomingMessage, limit: number): Buffer | null {
  if (!req.complete || req.readableEnded || req.readableFlowing !== null || req.readableLength > limit) return null;
  if (Number(req.headers['content-length'] ?? 0) > limit) return null;
  // Not flowing, so `read()` hands over everything buffered (null when that is nothing).
  return (req.read() as Buffer | null) ?? EMPTY;
}

const EMPTY = Buffer.alloc(0);

function mediaType(req: IncomingMessage): string {
  const type = req.headers['content-type'];
  // The common spelling as it is (no split, trim and case change to make the same string).
  if (type === 'application/json') return type;
  return (type ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A JSON body: a map is the parameter set, a list is keyed 0..n, anything else (or garbage) is empty. */
function jsonParams(body: Buffer): RawParams {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return {};
  }
  if (Array.isArray(value)) return { ...value };
  return isMap(value) ? value : {};
}

function multipartParams(req: IncomingMessage, body: Buffer): Promise<RawParams> {
  return new Promise((resolve, reject) => {
    const fields: [string, string][] = [];
    let parser: Busboy.Busboy;
    try {
      parser = busboy()({ headers: req.headers, limits: { fieldSize: body.length + 1 } });
    } catch {
      resolve({});
      return;
    }
    // A part without a name (a malformed header) is no parameter.
    parser.on('field', (name, value) => {
      if (typeof name === 'string') fields.push([name, value]);
    });
    // File parts are not parameters in this API (files travel base64-encoded inside fields).
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('close', () => {
      try {
        resolve(parsePhpFields(fields));
      } catch (err) {
        // Thrown inside a stream event it would be uncaught: it takes the request instead.
        reject(err);
      }
    });
    parser.on('error', () => reject(errors.wrongEncoding()));
    Readable.from([body]).pipe(parser);
  });
}

/**
 * The body's parameters, by Content-Type, as the portal reads them. Only POST bodies count.
 * Whatever the encoding, the result is within the shape bounds (rest/shape.ts) or refused.
 */
export async function bodyParams(req: IncomingMessage, limit: number): Promise<RawParams> {
  if (req.method !== 'POST') {
    req.resume();
    return {};
  }
  return paramsOfBody(req, await readBody(req, limit));
}

/**
 * The parameters of a POST body read whole (`readBody`): at once, but for a multipart body.
 * WHY apart from `bodyParams`: the REST edge awaits the body itself and parses it in the same
 * turn, a promise and a microtask less per call.
 */
export function paramsOfBody(req: IncomingMessage, body: Buffer): RawParams | Promise<RawParams> {
  if (body.length === 0) return {};
  const type = mediaType(req);
  if (type === 'multipart/form-data') return multipartParams(req, body).then(bounded);
  return bounded(type === 'application/json' ? jsonParams(body) : parsePhpQuery(body.toString('utf8')));
}

function bounded(params: RawParams): RawParams {
  checkShape(params);
  return params;
}

/**
 * Query and body merged, the body winning per top-level key. JSON `null` means "not sent",
 * so such keys are dropped.
 */
export function mergeParams(query: RawParams, body: RawParams): RawParams {
  // Most calls send their parameters one way: then that set (this request's own) is the result.
  const merged: RawParams = !hasKeys(query) ? body : !hasKeys(body) ? query : { ...query, ...body };
  for (const key in merged) if (merged[key] === null) delete merged[key];
  return merged;
}

function hasKeys(params: RawParams): boolean {
  for (const _ in params) return true;
  return false;
}

/**
 * A small JSON object body (console forms): no body is `{}`; anything but a JSON object
 * (garbage, a list, a scalar) is INVALID_JSON, more than `limit` bytes ERROR_REQUEST_TOO_LARGE.
 */
export async function readJsonObject(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw webErrors.badJson();
  }
  if (!isMap(value)) throw webErrors.badJson();
  checkShape(value);
  return value;
}
