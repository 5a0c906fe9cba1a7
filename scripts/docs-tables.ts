// `npm run docs:tables`: rewrites the generated tables of README.md (settings) and
// docs/errors.md (error catalog) from their declarations in src/. Tests fail when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsTable } from '../src/config.ts';
import { errorTables } from '../src/errors/catalog.ts';

/** The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`, or null. */
export function generatedSection(text: string, name: string): string | null {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(text);
  return m ? m[1]!.replace(/\n$/, '') : null;
}

function replaceSection(file: string, name: string, content: string): void {
  const text = readFileSync(file, 'utf8');
  if (generatedSection(text, name) === null) throw new Error(`${file} has no ${name} markers`);
  const next = text.replace(new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`), (_m, a, b) => `${a}${content}\n${b}`);
  if (next !== text) writeFileSync(file, next);
  console.log(`${file}: ${next === text ? 'up to date' : 'rewritten'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  replaceSection('README.md', 'settings', settingsTable());
  replaceSection('docs/errors.md', 'errors', errorTables());
}
