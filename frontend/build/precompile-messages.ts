import { fileURLToPath } from 'node:url';
import { baseCompile } from '@intlify/message-compiler';
import { build } from 'esbuild';
import type { Plugin } from 'vite';

const MESSAGES = fileURLToPath(new URL('../src/i18n/messages/index.ts', import.meta.url));

interface Tree {
  readonly [key: string]: string | Tree;
}

/** Each message as the AST vue-i18n runs, keyed for vue-i18n's cache by language and path. */
function compileTree(tree: Tree, path: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([key, value]) => {
      const at = `${path}.${key}`;
      if (typeof value !== 'string') return [key, compileTree(value, at)];
      const errors: string[] = [];
      const { ast } = baseCompile(value, {
        jit: true,
        location: false,
        minify: true,
        onError: (error) => errors.push(error.message),
      });
      if (errors.length > 0)
        throw new Error(`message ${at} does not compile: ${errors.join('; ')}`);
      return [key, { ...ast, cacheKey: at }];
    }),
  );
}

/**
 * Replaces the app's messages (src/i18n/messages/index.ts) in the build by their compiled form,
 * so the browser neither ships vue-i18n's message compiler nor compiles each text on first use
 * (about a tenth of a phone's first render went to compiling texts). A message that does not
 * compile fails the build.
 */
export function precompileMessages(): Plugin {
  return {
    name: 'marketplace:precompile-messages',
    apply: 'build',
    async load(id) {
      if (id !== MESSAGES) return null;
      const bundled = await build({
        entryPoints: [MESSAGES],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        write: false,
        metafile: true,
      });
      for (const input of Object.keys(bundled.metafile.inputs)) this.addWatchFile(input);
      const source = bundled.outputFiles[0]?.text ?? '';
      const { en, ru } = (await import(
        `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`
      )) as { en: Tree; ru: Tree };
      // JSON.parse of a string literal: engines parse JSON faster than an object literal of its size.
      const literal = (tree: Tree, language: string) =>
        `JSON.parse(${JSON.stringify(JSON.stringify(compileTree(tree, language)))})`;
      return `export const en = ${literal(en, 'en')};\nexport const ru = ${literal(ru, 'ru')};\n`;
    },
  };
}
