import type { ServerResponse } from 'node:http';
import type { Logger } from '../lib/log.ts';
import { toXml } from './xml.ts';
import { toRestError } from '../errors/rest.ts';

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

export function sendError(res: ServerResponse, err: unknown, log: Logger, format: Format = 'json'): void {
  const restError = toRestError(err, log);
  sendBody(res, restError.status, restError.body(), format);
}

export function sendPreflight(res: ServerResponse): void {
  res.writeHead(200, { ...COMMON_HEADERS, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Content-Length': 0 });
  res.end();
}
