import { defineConfig } from 'vitest/config';

// Root base "/": the node serves dist/ at its root, hashed files under /assets/.
// `npm run dev` proxies the API to RENKEI_URL (a running `renkei serve`).
const node = process.env.RENKEI_URL ?? 'https://127.0.0.1:8443';

export default defineConfig({
  base: '/',
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
