// Builds the admin page into the folder manifest.yml names as the `admin-page` resource.
// Run from the repo root: `vite build --config static/admin/vite.config.ts`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // Forge serves the resource from its own CDN path: every asset URL must be relative.
  base: './',
  // JSX through esbuild alone; there is no React plugin here (no Fast Refresh needed for a build).
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('./build', import.meta.url)),
    emptyOutDir: true,
    // Jira renders the page in current browsers only.
    target: 'es2022',
    // The budget is 350 KB gzipped for the first load; `npm run bench` prints the real figure.
    chunkSizeWarningLimit: 1200,
  },
  server: { fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] } },
});
