#!/usr/bin/env node
// Runs the prebuilt bundle (dist/notify24.mjs, `npm run build`) when it is newer than every
// source file, else the TypeScript sources through tsx: fast starts, and no stale build ever runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'notify24.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function loadMain() {
  // An installed package ships the bundle without the TypeScript sources: it always runs the bundle.
  const sources = join(root, 'src', 'cli', 'index.ts');
  const installed = !existsSync(sources);
  if (installed || (process.env.NOTIFY24_FROM_SOURCE !== '1' && existsSync(bundle) && statSync(bundle).mtimeMs > newestSource(join(root, 'src')))) {
    return (await import(pathToFileURL(bundle).href)).main;
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/index.ts')).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
