// A second reporter for scripts/run-tests.ts: after the run, each test file's wall time (its own
// process, start to exit), slowest first, so the costly files are plain to see. It prints, never judges.
// Plain JavaScript: Node loads reporters before tsx's loader is in place.
import { relative, resolve } from 'node:path';

const root = process.cwd();

/** @param {AsyncIterable<{ type: string, data?: { name?: unknown, file?: unknown, nesting?: unknown, details?: { duration_ms?: unknown } } }>} source */
export default async function* durations(source) {
  /** @type {Array<{ file: string, ms: number }>} */
  const files = [];
  for await (const event of source) {
    const data = event.data;
    // The runner closes each file with an event named after the file itself: its absolute path on
    // Node 20, the path as given on Node 22.
    if (event.type !== 'test:complete' || data?.nesting !== 0 || typeof data.file !== 'string' || typeof data.name !== 'string') continue;
    if (resolve(root, data.name) !== data.file) continue;
    const ms = data.details?.duration_ms;
    if (typeof ms === 'number') files.push({ file: relative(root, data.file), ms });
  }
  if (files.length === 0) return;
  files.sort((a, b) => b.ms - a.ms);
  const total = files.reduce((sum, f) => sum + f.ms, 0);
  yield `\nper-file wall time (slowest first; ${files.length} files, ${(total / 1000).toFixed(1)} s summed):\n`;
  for (const { file, ms } of files) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`;
}
