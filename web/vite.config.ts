import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import type { Topology } from 'topojson-specification';
import { encodeBasemap } from './src/basemap_encode.ts';

// Root base "/": the node serves dist/ at its root, hashed files under /assets/.
// `npm run dev` proxies the API to RENKEI_URL (a running `renkei serve`).
const node = process.env.RENKEI_URL ?? 'https://127.0.0.1:8443';

// `import url from 'virtual:basemap'`: world-atlas's countries-50m made into the
// basemap (src/basemap.ts) at build time, projected into the map's plane
// (src/plane_geo.ts), emitted as a hashed asset and preloaded by index.html so that its
// fetch starts with the page.
function basemap(): Plugin {
  const id = 'virtual:basemap';
  const resolved = '\0' + id;
  // The node serves .paths as text/plain.
  const name = 'countries-50m.paths';
  let text: string | null = null;
  const encode = () => {
    if (text === null) {
      const file = createRequire(import.meta.url).resolve('world-atlas/countries-50m.json');
      text = encodeBasemap(JSON.parse(readFileSync(file, 'utf8')) as Topology);
    }
    return text;
  };
  let build = false;
  return {
    name: 'renkei-basemap',
    configResolved(c) {
      build = c.command === 'build';
    },
    resolveId: (source) => (source === id ? resolved : null),
    load(loadId) {
      if (loadId !== resolved) return null;
      if (!build) {
        return `export default ${JSON.stringify('data:text/plain,' + encodeURIComponent(encode()))};`;
      }
      const ref = this.emitFile({ type: 'asset', name, source: encode() });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const asset = Object.values(ctx.bundle ?? {}).find(
          (f) => f.type === 'asset' && f.names.includes(name),
        );
        if (!asset) return [];
        return [
          {
            tag: 'link',
            attrs: { rel: 'preload', href: `/${asset.fileName}`, as: 'fetch', crossorigin: 'anonymous' },
            injectTo: 'head',
          },
        ];
      },
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [basemap()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': { target: node, secure: false },
      '/auth': { target: node, secure: false },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
