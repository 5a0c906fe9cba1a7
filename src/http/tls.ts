import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when notify24 generated the pair itself (clients must be told to trust it). */
  selfSigned: boolean;
  certFile: string;
}

/**
 * The operator's certificate when configured; otherwise a self-signed one for localhost,
 * generated on first start and kept in the data folder so clients can trust it once.
 */
export async function loadTls(config: Config): Promise<TlsMaterial> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    return {
      cert: readFileSync(config.tlsCertFile, 'utf8'),
      key: readFileSync(config.tlsKeyFile, 'utf8'),
      selfSigned: false,
      certFile: config.tlsCertFile,
    };
  }
  const { certFile, keyFile } = tlsFiles(config.dataDir);
  if (!existsSync(certFile) || !existsSync(keyFile)) await writeSelfSigned(config.dataDir);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), selfSigned: true, certFile };
}

/** Where the generated pair lives in the data folder. */
function tlsFiles(dataDir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dataDir, 'tls-cert.pem'), keyFile: join(dataDir, 'tls-key.pem') };
}

/**
 * A self-signed pair for localhost (and 127.0.0.1, ::1), valid five years, written to the data
 * folder. RSA by default (what every client accepts); a test portal asks for EC, made in a
 * hundredth of the time.
 */
export async function writeSelfSigned(dataDir: string, keyType: 'rsa' | 'ec' = 'rsa'): Promise<void> {
  const { certFile, keyFile } = tlsFiles(dataDir);
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 5);
  // Loaded only here: the certificate library costs a quarter second of every start otherwise.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType,
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
}
