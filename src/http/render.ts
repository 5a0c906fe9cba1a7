import type { ServerResponse } from 'node:http';
import type { Logger } from '../lib/log.ts';
import { errors, RestError } from '../rest/errors.ts';
import { toXml } from './xml.ts';

export type Format = 'json' | 'xml';

/** Headers the portal sends with every REST answer. */
const COMMON_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'origin, content-type, accept',
  'X-Content-Type-Options': 'nosniff',
};

export function sendBody(res: ServerResponse, status: number, body: Record<string, unknown>, format: Format = 'json'): void {
  const text = format === 'xml' ? toXml(body) : JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': format === 'xml' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The one place an error becomes a response: a RestError keeps its code and status; anything
 * else is logged and answered INTERNAL_SERVER_ERROR without leaking its message.
 */
export function toRestError(err: unknown, log: Logger): RestError {
  if (err instanceof RestError) return err;
  log.error('unexpected error', { err });
  return errors.internal();
}

export function sendError(res: ServerResponse, err: unknown, log: Logger, format: Format = 'json'): void {
  const restError = toRestError(err, log);
  sendBody(res, restError.status, restError.body(), format);
}

export function sendPreflight(res: ServerResponse): void {
  res.writeHead(200, { ...COMMON_HEADERS, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Content-Length': 0 });
  res.end();
}
