import { main } from '../../src/cli/index.ts';

/** Runs a CLI command in this process with NOTIFY24_DATABASE_URL set to `databaseUrl`; its printed lines and exit code. */
export async function cliOn(databaseUrl: string, ...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const saved = process.env.NOTIFY24_DATABASE_URL;
  process.env.NOTIFY24_DATABASE_URL = databaseUrl;
  try {
    return { code: await main(argv, (l) => lines.push(l)), lines };
  } finally {
    if (saved === undefined) delete process.env.NOTIFY24_DATABASE_URL;
    else process.env.NOTIFY24_DATABASE_URL = saved;
  }
}
