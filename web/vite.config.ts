import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The built files go to web/dist, which `trustdesk serve` serves at / (same
// origin as the API). Hashed names under assets/ are cached for a year.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, target: 'es2020', modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
