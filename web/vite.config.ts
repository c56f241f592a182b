import { defineConfig } from 'vitest/config';

// Root base "/": the node serves dist/ at its root, hashed files under /assets/.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
