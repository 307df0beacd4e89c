// Prints the built admin page's sizes: what the browser downloads first, raw and gzipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = join(__dirname, '..');
const build = join(root, 'static', 'admin', 'build');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

export function bundleReport(): string[] {
  let html: string;
  try {
    html = readFileSync(join(build, 'index.html'), 'utf8');
  } catch {
    return ['admin page: not built (run npm run build:admin)'];
  }
  // The initial load is what index.html references directly; token themes load on demand.
  const initial = new Set([...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => join(build, m[1] ?? '')));
  const lines = ['admin page bundle (KB, raw / gzip):'];
  let initialGzip = 0;
  let allGzip = 0;
  for (const file of files(build).filter((f) => /\.(js|css)$/.test(f)).sort()) {
    const content = readFileSync(file);
    const gz = gzipSync(content).length;
    allGzip += gz;
    if (initial.has(file)) {
      initialGzip += gz;
      lines.push(`  ${relative(build, file).padEnd(48)} ${(content.length / 1024).toFixed(1).padStart(8)} / ${(gz / 1024).toFixed(1).padStart(7)}  initial`);
    }
  }
  lines.push(`  initial load: ${(initialGzip / 1024).toFixed(1)} KB gzip (budget 350 KB); every asset: ${(allGzip / 1024).toFixed(1)} KB gzip`);
  return lines;
}

if (require.main === module) console.log(bundleReport().join('\n'));
