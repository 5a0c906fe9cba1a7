import type { IncomingMessage } from 'node:http';
import type { Services } from '../services.ts';
import type { SessionReader } from './console-api.ts';

/**
 * The web session behind a request (cookie), as the login routes created it. The only place
 * the web part depends on how sessions are stored.
 */
export function sessionReader(_services: Services): SessionReader {
  return async (_req: IncomingMessage) => null;
}
