import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random lower-case alphanumeric secret, the shape of a Bitrix24 webhook code. */
export function randomCode(length = 16): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** A random hex token (access/refresh tokens, application tokens). */
export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Secrets we generate are long and random, so one SHA-256 is enough to store them;
 * passwords, chosen by people, get scrypt below.
 */
export function hashSecret(secret: string): string {
  return sha256Hex(secret);
}

/**
 * WHY the one-shot `crypto.hash` (Node 20.12 and later) where there is one: without a Hash
 * object it takes a third of the time, and every webhook call hashes its code.
 */
const sha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');

/** The SHA-256 of a secret as bytes (`hashSecret` gives the same digest as hex). */
export const secretDigest: (secret: string) => Buffer =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'buffer') as unknown as Buffer
    : (text) => createHash('sha256').update(text).digest();

/** Constant-time comparison of two digests (or two secrets) as bytes; empty never matches; lengths may differ. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && timingSafeEqual(ba, bb);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [kind, saltHex, keyHex] = (stored ?? '').split('$');
  if (kind !== 'scrypt' || !saltHex || !keyHex) return false;
  const expected = Buffer.from(keyHex, 'hex');
  const key = await scrypt(password, Buffer.from(saltHex, 'hex'), 32);
  return expected.length === key.length && timingSafeEqual(key, expected);
}

/** Constant-time comparison of two plain tokens (e.g. a CSRF `sessid`); empty never matches. */
export function sameToken(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && ba.length > 0 && timingSafeEqual(ba, bb);
}
