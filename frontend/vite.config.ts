import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// In development the SPA talks to a locally running gateway, exactly as it does when served by it.
const gateway = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target: gateway },
      '/demo': { target: gateway },
    },
  },
  preview: {
    proxy: {
      '/api': { target: gateway },
      '/demo': { target: gateway },
    },
  },
  build: { outDir: 'dist' },
});
