import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { exportSnapshot, importSnapshot, textLines, type Progress } from '../snapshot/stream.ts';
import type { Store } from '../store/port/store.ts';

type Out = (line: string) => void;

/** Progress on a terminal only (a pipe or a log gets none): one line redrawn a few times a second. */
function terminalProgress(verb: string): { progress?: Progress; done(): void } {
  if (!process.stderr.isTTY) return { done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    progress: ({ table, rows }) => {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${verb} ${rows.toLocaleString('en')} rows (${table})\u001b[K`);
    },
    done: () => void (shown && process.stderr.write('\n')),
  };
}

async function writeAll(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * `notify24 export [--out FILE]`: every table of the configured database as a snapshot (JSON
 * lines) to FILE or stdout. Meant for a stopped server (or a quiet one: rows written meanwhile
 * may or may not be in it).
 */
export async function exportCommand(args: string[], store: Store, out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const target: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  const shown = terminalProgress('exported');
  const { rows } = await exportSnapshot(store, (text) => writeAll(target, text), shown.progress);
  shown.done();
  if (values.out) {
    target.end();
    await once(target, 'finish');
    out(`exported ${rows} rows to ${values.out}`);
  }
  return 0;
}

/** `notify24 import FILE|-`: replaces everything in the configured database with a snapshot, all or nothing. */
export async function importCommand(args: string[], store: Store, out: Out): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file) throw new Error('import needs a snapshot file (or - for stdin)');
  const input = file === '-' ? process.stdin.setEncoding('utf8') : createReadStream(file, { encoding: 'utf8' });
  const shown = terminalProgress('imported');
  try {
    const { rows } = await importSnapshot(store, textLines(input as AsyncIterable<string>), shown.progress);
    shown.done();
    out(`imported ${rows} rows from ${file === '-' ? 'stdin' : file}`);
    return 0;
  } catch (err) {
    shown.done();
    throw new Error(`import refused, nothing changed: ${(err as Error).message}`);
  }
}
