import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import { handleRest } from './rest-handler.ts';
import { sendError, sendPreflight } from './render.ts';
import { parseRestPath } from './rest-path.ts';
import { errors } from '../errors/rest.ts';

/** A route of the server besides REST (OAuth, push, pages): returns false when the path is not its own. */
export type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  secure: boolean,
) => Promise<boolean> | boolean;

/**
 * The request entry point: `/rest/...` goes to the REST pipeline, other paths to the routes
 * given in order. Nothing here ever redirects (SDKs read a 3xx as "the portal moved").
 */
export function createRequestHandler(services: Services, routes: Route[] = []) {
  return async (req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'OPTIONS') return sendPreflight(res);
      const restPath = parseRestPath(url.pathname);
      if (restPath) return await handleRest(req, res, url, restPath, secure, services);
      for (const route of routes) if (await route(req, res, url, secure)) return;
      if (url.pathname.startsWith('/rest')) throw errors.methodNotFound();
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    } catch (err) {
      if (!res.headersSent) sendError(res, err, services.log);
      else res.destroy();
    }
  };
}
