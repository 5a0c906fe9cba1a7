#!/usr/bin/env node
// `npm run build` (also run by `npm install` and `npm pack`, as `prepare`): bundles with
// esbuild
//   - the server and CLI into dist/notify24.mjs, so `npm start` does not compile TypeScript at
//     every start (about half a second of the cold start). bin/notify24.js uses the bundle only
//     while it is newer than every file under src/; otherwise it runs the sources through tsx,
//     so a stale bundle can never run. Tests import the sources; the ones that spawn
//     bin/notify24.js run whichever of the two it picks.
//   - the library (`import { startPortal } from 'notify24'`) into dist/index.mjs, with its
//     type declarations in dist/types/ (tsc), so an installed package needs neither tsx nor
//     TypeScript.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // npm packages stay imports: native addons (better-sqlite3) and lazily loaded drivers.
  packages: 'external',
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/notify24.mjs' });
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.mjs' });

// Declarations only where TypeScript is installed (a development checkout; `npm pack` runs there).
rmSync('dist/types', { recursive: true, force: true });
const tsc = 'node_modules/typescript/bin/tsc';
if (!existsSync(tsc)) {
  console.warn('build: typescript not installed, dist/types not written');
} else {
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
