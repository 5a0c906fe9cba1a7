/**
 * The fuzz suite's properties. Decoders run in-process (parameter decoding of queries, forms
 * with PHP keys, JSON and multipart bodies; XML output; sign-in targets; cookies; attachments);
 * the REST methods and the web endpoints run through the real server over HTTP. The property
 * everywhere: no 5xx but the deliberate ones, no crash, no unexpected error logged, every answer
 * parses (JSON, or XML with a strict parser), and the server still answers `server.time`.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { errorCatalog } from '../../src/errors/catalog.ts';
import { RestError } from '../../src/errors/rest-error.ts';
import { bodyParams } from '../../src/http/body.ts';
import { localPath } from '../../src/http/local-path.ts';
import { toXml } from '../../src/http/xml.ts';
import { cookieValue } from '../../src/lib/cookies.ts';
import { createLogger, type Logger } from '../../src/lib/log.ts';
import { parsePhpQuery } from '../../src/lib/php-query.ts';
import { parseAttach } from '../../src/notify/attach.ts';
import { checkShape } from '../../src/rest/shape.ts';
import { parseXml } from '../helpers/xml.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  contentType, encode, encodeStyle, formText, garbageBody, hostileString, multipart, params, paramValue,
} from './arbitraries.ts';

/** 5xx answers that are decisions (outages, the bucket), not failures: every catalog 5xx but INTERNAL_SERVER_ERROR. */
const DELIBERATE_5XX = new Set(errorCatalog().filter((e) => e.status >= 500 && e.code !== 'INTERNAL_SERVER_ERROR').map((e) => e.code));

export interface NamedProperty {
  name: string;
  /** `http` properties need the server; the others run in-process. */
  kind: 'decoder' | 'http';
  /** Its share of a long run's inputs among properties of its kind (cheap ones get more). */
  weight: number;
  property: fc.IAsyncPropertyWithHooks<unknown[]> | fc.IPropertyWithHooks<unknown[]>;
}

/** Only RestError may come out of a decoder; anything else is a finding. */
function onlyRestErrors<T>(run: () => T): T | RestError {
  try {
    return run();
  } catch (err) {
    if (err instanceof RestError) return err;
    throw err;
  }
}

function depth(value: unknown): number {
  let max = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length) {
    const [v, d] = pending.pop()!;
    max = Math.max(max, d);
    if (v && typeof v === 'object') for (const c of Object.values(v)) pending.push([c, d + 1]);
  }
  return max;
}

function leavesAreStrings(value: unknown): boolean {
  const pending = [value];
  while (pending.length) {
    const v = pending.pop();
    if (v && typeof v === 'object') pending.push(...Object.values(v));
    else if (typeof v !== 'string') return false;
  }
  return true;
}

/** An IncomingMessage as body.ts reads one: a stream with method and headers. */
function fakeRequest(body: Buffer, type: string | undefined): IncomingMessage {
  const req = Readable.from([body]) as unknown as IncomingMessage;
  req.method = 'POST';
  req.headers = { 'content-length': String(body.length), ...(type === undefined ? {} : { 'content-type': type }) };
  return req;
}

/** What a PHP form round trip makes of a value: strings, lists and maps of them; empty ones vanish. */
function asPhp(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '';
  if (typeof value !== 'object') return String(value);
  const entries = (Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value))
    .map(([k, v]) => [k, asPhp(v)] as const)
    .filter(([, v]) => v !== undefined);
  if (!entries.length) return undefined;
  return entries.every(([k], i) => k === String(i)) ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

const simpleKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const wellFormed = hostileString.map((s) => s.replace(/[\uD800-\uDFFF]/g, '?'));
const roundTripValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: fc.oneof(wellFormed, fc.integer(), fc.boolean()) },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(simpleKey, tie('v'), { maxKeys: 4 }) },
  ),
})).v;

export function decoderProperties(): NamedProperty[] {
  return [
    {
      name: 'query and form decoding (PHP keys)',
      kind: 'decoder',
      weight: 2,
      property: fc.property(fc.oneof(hostileString, fc.tuple(params, encodeStyle).map(([p, s]) => formText(p, s))), (text) => {
        const parsed = parsePhpQuery(text);
        assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
        assert.ok(leavesAreStrings(parsed));
        assert.ok(depth(parsed) <= 65);
        JSON.stringify(parsed);
        onlyRestErrors(() => checkShape(parsed));
      }),
    },
    {
      name: 'form round trip: what a PHP client encodes decodes back',
      kind: 'decoder',
      weight: 5,
      property: fc.property(fc.dictionary(simpleKey, roundTripValue, { maxKeys: 6 }), encodeStyle, (value, style) => {
        const text = formText(value, style === 'raw' ? 'standard' : style);
        const expected = asPhp(value) ?? {};
        assert.deepEqual(parsePhpQuery(text), Array.isArray(expected) ? { ...expected } : expected);
      }),
    },
    {
      name: 'request bodies: JSON, form, multipart and garbage under any Content-Type',
      kind: 'decoder',
      weight: 3,
      property: fc.asyncProperty(
        fc.oneof(
          fc.tuple(params.map((p) => JSON.stringify(p)), fc.constant<string | undefined>('application/json')),
          fc.tuple(fc.tuple(params, encodeStyle).map(([p, s]) => formText(p, s)), fc.constant<string | undefined>('application/x-www-form-urlencoded')),
          multipart.map((m): [string, string | undefined] => [m.body, m.type]),
          fc.tuple(garbageBody, contentType),
        ),
        async ([body, type]) => {
          const result = await bodyParams(fakeRequest(Buffer.from(body, 'utf8'), type), 8 * 1024 * 1024).catch((err: unknown) => {
            if (err instanceof RestError) return err;
            throw err;
          });
          if (result instanceof RestError) {
            assert.ok(result.status >= 400 && result.status < 500, `${result.code} ${result.status}`);
            return;
          }
          assert.ok(result !== null && typeof result === 'object' && !Array.isArray(result));
          checkShape(result);
          JSON.stringify(result);
        },
      ),
    },
    {
      name: 'XML answers are well-formed whatever they carry',
      kind: 'decoder',
      weight: 10,
      property: fc.property(fc.dictionary(hostileString, paramValue, { maxKeys: 4 }), paramValue, (keyed, value) => {
        const doc = parseXml(toXml({ result: value, keyed, error: 'E', error_description: value }));
        assert.equal(doc.name, 'response');
      }),
    },
    {
      name: 'sign-in targets: whatever is given, only a same-site path comes out',
      kind: 'decoder',
      weight: 30,
      property: fc.property(fc.oneof(hostileString, hostileString.map((s) => `/${s}`), fc.webUrl()), (given) => {
        const path = localPath(given);
        if (path === null) return;
        assert.match(path, /^\/(?![/\\])/);
        assert.doesNotMatch(path, /[\u0000-\u001f\u007f\\]/);
        for (const origin of ['http://a.example', 'https://b.example:8443']) assert.equal(new URL(path, origin).origin, origin);
      }),
    },
    {
      name: 'cookies: any Cookie header is read without an exception',
      kind: 'decoder',
      weight: 30,
      property: fc.property(hostileString, hostileString, (header, name) => {
        const value = cookieValue({ cookie: header }, name || 'notify24_session');
        assert.ok(value === null || typeof value === 'string');
      }),
    },
    {
      name: 'attachments: parsed, or refused with a catalog error; HTML fields sanitised',
      kind: 'decoder',
      weight: 15,
      property: fc.property(fc.oneof(paramValue, paramValue.map((v) => JSON.stringify(v) ?? '')), (raw) => {
        const attach = onlyRestErrors(() => parseAttach(raw, 1_700_000_000));
        if (attach === null || attach instanceof RestError) return;
        const text = JSON.stringify(attach);
        for (const block of attach.BLOCKS) {
          for (const item of [...((block.LINK as unknown[]) ?? []), ...((block.RICH_LINK as unknown[]) ?? [])]) {
            const html = (item as { HTML?: unknown }).HTML;
            if (typeof html === 'string') assert.doesNotMatch(html, /<script|\son\w+\s*=|javascript:/i, text);
          }
        }
      }),
    },
  ];
}

/** What the HTTP properties call. */
export interface HttpTarget {
  ts: TestServer;
  /** Errors the server logged (a logged error is a finding: something failed unexpectedly). */
  logged: string[];
  admin: { cookie: string; sessid: string };
  methods: string[];
}

/** A logger for the server under test that keeps its error lines. */
export function collectingLogger(into: string[]): Logger {
  const base = createLogger('silent');
  return { ...base, error: (msg, data) => into.push(`${msg} ${JSON.stringify(data ?? {}, (_k, v) => (v instanceof Error ? v.stack : v)).slice(0, 2000)}`) };
}

interface Answer {
  status: number;
  type: string;
  text: string;
  location: string | null;
}

/** The property over every answer: no unexpected 5xx, the body parses as what it says it is, no INTERNAL_SERVER_ERROR inside. */
function checkAnswer(answer: Answer, label: string): void {
  let body: unknown = null;
  if (/json/.test(answer.type)) body = JSON.parse(answer.text);
  else if (/xml/.test(answer.type)) parseXml(answer.text);
  const code = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (answer.status >= 500) assert.ok(typeof code === 'string' && DELIBERATE_5XX.has(code), `${answer.status} ${answer.text.slice(0, 300)} ← ${label}`);
  assert.doesNotMatch(answer.text, /INTERNAL_SERVER_ERROR/, label);
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), location: res.headers.get('location') };
}

function assertNothingLogged(target: HttpTarget, label: string): void {
  if (target.logged.length) {
    const lines = target.logged.splice(0);
    assert.fail(`server logged errors for ${label}:\n${lines.join('\n')}`);
  }
}

const restRequest = (methods: string[]) =>
  fc.record({
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...methods).chain((m) => fc.constantFrom(m, m.toUpperCase(), m.replace(/\./g, '.'))) },
      { weight: 1, arbitrary: hostileString },
    ),
    suffix: fc.constantFrom('', '.json', '.xml', '.xml', '.JSON', '.xml.json', '.php'),
    auth: fc.constantFrom('hook', 'hook', 'hook', 'none', 'wrong', 'token'),
    verb: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
    encoding: fc.constantFrom('json', 'form', 'query', 'multipart', 'garbage'),
    params,
    style: encodeStyle,
    garbage: garbageBody,
    type: contentType,
    mp: multipart,
  });

export function httpProperties(target: HttpTarget): NamedProperty[] {
  const { ts } = target;
  const base = { hook: ts.hook, none: `${ts.url}/rest/`, wrong: `${ts.url}/rest/1/wrongcode0000000/`, token: `${ts.url}/rest/` };
  return [
    {
      name: 'every registered REST method over HTTP, any encoding, JSON and XML',
      kind: 'http',
      weight: 3,
      property: fc.asyncProperty(restRequest(target.methods), async (r) => {
        const path = `${base[r.auth as keyof typeof base]}${encode(r.method, 'standard')}${r.suffix}`;
        const p = r.auth === 'token' ? { ...r.params, auth: 'f'.repeat(32) } : r.params;
        let url = path;
        const init: RequestInit = { method: r.verb, headers: {} };
        const headers = init.headers as Record<string, string>;
        if (r.verb === 'GET' || r.encoding === 'query') {
          url = `${path}?${formText(p, r.style)}`;
        } else if (r.encoding === 'json') {
          init.body = JSON.stringify(p);
          headers['Content-Type'] = 'application/json';
        } else if (r.encoding === 'form') {
          init.body = formText(p, r.style);
          headers['Content-Type'] = 'application/x-www-form-urlencoded';
        } else if (r.encoding === 'multipart') {
          init.body = r.mp.body;
          headers['Content-Type'] = r.mp.type;
        } else {
          init.body = r.garbage;
          if (r.type !== undefined) headers['Content-Type'] = r.type;
        }
        if (url.length > 200_000) url = url.slice(0, 200_000);
        const label = `${r.verb} ${url.slice(0, 200)} ${String(init.body ?? '').slice(0, 300)}`;
        checkAnswer(await send(url, init), label);
        assertNothingLogged(target, label);
      }),
    },
    {
      name: 'sign-in, session, console and OAuth endpoints with hostile bodies and cookies',
      kind: 'http',
      weight: 1,
      property: fc.asyncProperty(
        fc.record({
          endpoint: fc.constantFrom('login-form', 'login-json', 'logout', 'session', 'console-users', 'console-webhooks', 'console-other', 'oauth-token', 'oauth-authorize'),
          cookie: fc.oneof(fc.constant('admin'), fc.constant(''), hostileString.map((s) => `notify24_session=${s}`), hostileString),
          sessid: fc.oneof(fc.constant('right'), hostileString),
          params,
          next: hostileString,
          garbage: garbageBody,
          useGarbage: fc.boolean(),
          style: encodeStyle,
        }),
        async (r) => {
          const cookie = r.cookie === 'admin' ? target.admin.cookie : r.cookie.replace(/[\r\n\0]/g, '');
          const headers: Record<string, string> = {};
          if (cookie && /^[\t\x20-\x7e\x80-\xff]*$/.test(cookie)) headers.Cookie = cookie;
          const sessid = r.sessid === 'right' ? target.admin.sessid : r.sessid;
          if (/^[\t\x20-\x7e]*$/.test(sessid)) headers['X-Sessid'] = sessid;
          const form = (extra: Record<string, unknown>) => (r.useGarbage ? r.garbage : formText({ ...r.params, ...extra }, r.style));
          let answer: Answer;
          let label: string = r.endpoint;
          switch (r.endpoint) {
            case 'login-form':
              headers['Content-Type'] = 'application/x-www-form-urlencoded';
              headers.Accept = 'text/html';
              answer = await send(`${ts.url}/login`, { method: 'POST', headers, body: form({ login: 'fuzz-admin', password: 'fuzz-admin-secret', next: r.next }) });
              // The one thing a sign-in redirect may never do: leave the site.
              if (answer.location !== null) assert.equal(new URL(answer.location, ts.url).origin, new URL(ts.url).origin, answer.location);
              break;
            case 'login-json':
              headers['Content-Type'] = 'application/json';
              answer = await send(`${ts.url}/login`, { method: 'POST', headers, body: r.useGarbage ? r.garbage : JSON.stringify({ ...r.params, next: r.next }) });
              break;
            case 'logout':
              headers['Content-Type'] = 'application/x-www-form-urlencoded';
              answer = await send(`${ts.url}/logout`, { method: 'POST', headers: { ...headers, Cookie: '' }, body: form({}) });
              break;
            case 'session':
              answer = await send(`${ts.url}/session`, { headers });
              break;
            case 'console-users':
            case 'console-webhooks':
              headers['Content-Type'] = 'application/json';
              label = `${r.endpoint} ${r.useGarbage ? r.garbage.slice(0, 200) : ''}`;
              answer = await send(`${ts.url}/console/api/${r.endpoint === 'console-users' ? 'users' : 'webhooks'}`, {
                method: 'POST', headers, body: r.useGarbage ? r.garbage : JSON.stringify(r.params),
              });
              break;
            case 'console-other':
              answer = await send(`${ts.url}/console/api/${encode(r.next, 'raw').slice(0, 2000)}`, { method: 'POST', headers, body: r.garbage });
              break;
            case 'oauth-token':
              headers['Content-Type'] = 'application/x-www-form-urlencoded';
              answer = await send(`${ts.url}/oauth/token/`, { method: 'POST', headers, body: form({}) });
              break;
            default:
              answer = await send(`${ts.url}/oauth/authorize/?${formText(r.params, r.style)}`, { headers });
          }
          checkAnswer(answer, label);
          assertNothingLogged(target, label);
        },
      ),
    },
  ];
}

/** After a run: the server must still answer. */
export async function stillAnswers(ts: TestServer): Promise<void> {
  const r = await fetch(`${ts.hook}server.time`);
  assert.equal(r.status, 200);
  await r.body?.cancel();
}

