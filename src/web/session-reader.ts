import type { IncomingMessage } from 'node:http';
import { sessionFromHeaders } from '../identity/web-sessions.ts';
import type { Services } from '../services.ts';
import type { SessionReader } from './console-api.ts';

/** The web session behind a request (its cookie): the one place the web part reads sessions. */
export function sessionReader(services: Services): SessionReader {
  return (req: IncomingMessage) => sessionFromHeaders(services, req.headers);
}
