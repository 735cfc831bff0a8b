import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { precompileMessages } from './build/precompile-messages.ts';

// In development the SPA talks to a locally running gateway, exactly as it does when served by it.
const gateway = 'http://127.0.0.1:8080';

const FRAMEWORK = /[\\/]node_modules[\\/](vue|@vue|vue-router|pinia|vue-i18n|@intlify)[\\/]/;
/** Files directly in these folders (the seller's and admin's subfolders stay with their pages). */
const SHARED =
  /[\\/]frontend[\\/]src[\\/](components|composables|utils|api|stores)[\\/][^\\/]+\.(ts|vue)/;
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|xml|webmanifest)$/;
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(path) : Promise.resolve([path]);
    }),
  );
  return nested.flat();
}

/**
 * Writes `<file>.br` and `<file>.gz` beside every text file of the build (assets, index.html and
 * what public/ copied), so the gateway sends them as they are (@fastify/static `preCompressed`)
 * instead of compressing on each request. Done once at the highest levels, which would be too
 * slow per request. A variant that is not smaller than the file is not written: the gateway then
 * sends the file itself.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'marketplace:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        const files = (await filesUnder(outDir)).filter((file) => COMPRESSIBLE.test(file));
        await Promise.all(
          files.map(async (file) => {
            const content = await readFile(file);
            const [br, gz] = await Promise.all([
              brotli(content, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                  [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
                },
              }),
              gzipped(content, { level: constants.Z_BEST_COMPRESSION }),
            ]);
            const size = (await stat(file)).size;
            if (br.length < size) await writeFile(`${file}.br`, br);
            if (gz.length < size) await writeFile(`${file}.gz`, gz);
          }),
        );
      },
    },
  };
}

export default defineConfig({
  plugins: [vue(), precompileMessages(), precompress()],
  // Compile-time flags: the app is Composition API only (setup stores, <script setup>,
  // vue-i18n with legacy: false), so the Options API and vue-i18n's legacy API are left out of
  // the bundle. A component written with `data()`/`methods` would not work: use <script setup>.
  // The messages are compiled at build time (precompileMessages), so the compiler is left out too.
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
    __INTLIFY_JIT_COMPILATION__: 'true',
  },
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
  build: {
    outDir: 'dist',
    // Module preload is in every browser the app supports; the polyfill only cost start-up time.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        codeSplitting: {
          // The framework every page needs, in one chunk of its own: its name (hash) changes only
          // when one of these dependencies does, so a new build of the app's code keeps it cached.
          // Named packages only: a library a lazy page imports stays in that page's chunk.
          // The app's own shared pieces (components, composables, utils, the API client) in one
          // chunk too: split per file, a page waited on a dozen tiny scripts and style sheets,
          // each a request and a preload check on a phone's main thread.
          groups: [
            { name: 'vendor', test: FRAMEWORK },
            { name: 'shared', test: SHARED },
          ],
        },
      },
    },
  },
});
