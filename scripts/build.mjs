#!/usr/bin/env node
// `npm run build` (also run by `npm install`, as `prepare`): bundles the server and CLI into
// dist/notify24.mjs with esbuild, so `npm start` does not compile TypeScript at every start
// (about half a second of the cold start). bin/notify24.js uses the bundle only while it is
// newer than every file under src/; otherwise it runs the sources through tsx, so a stale
// bundle can never run. Tests import the sources; the ones that spawn bin/notify24.js run
// whichever of the two it picks.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/notify24.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // npm packages stay imports: native addons (better-sqlite3) and lazily loaded drivers.
  packages: 'external',
  logLevel: 'warning',
});
