// The Vite build both Custom UI pages share (static/admin, static/issue): each page's config names
// its own folder. Run from the repo root: `vite build --config static/<page>/vite.config.ts`.
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

export function customUiPage(pageFolderUrl: string): UserConfig {
  const here = fileURLToPath(new URL('.', pageFolderUrl));
  return defineConfig({
    root: here,
    // Forge serves the resource from its own CDN path: every asset URL must be relative.
    base: './',
    // JSX through esbuild alone; there is no React plugin here (no Fast Refresh needed for a build).
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: fileURLToPath(new URL('./build', pageFolderUrl)),
      emptyOutDir: true,
      // Jira renders the page in current browsers only.
      target: 'es2022',
      // The budget is 350 KB gzipped for the first load; `npm run bench` prints the real figure.
      chunkSizeWarningLimit: 1200,
    },
    server: { fs: { allow: [fileURLToPath(new URL('../..', pageFolderUrl))] } },
  });
}
