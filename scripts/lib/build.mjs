import { join } from 'node:path';

/**
 * Bundles each service's TypeScript into one ES module, `<service>/dist/server.mjs`: the
 * workspace libs (@marketplace/*, TypeScript sources) go inside; every other package stays an
 * import from node_modules. Plain `node` then runs it: no compiler in the running process, which
 * starts faster and uses less memory than running the sources through tsx.
 */
export async function buildServices(root, services) {
  const { build } = await import('esbuild');
  const started = Date.now();
  await Promise.all(
    services.map((service) =>
      build({
        entryPoints: [join(root, service, 'src', 'server.ts')],
        outfile: join(root, service, 'dist', 'server.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: true,
        logLevel: 'warning',
        plugins: [externalPackages],
      }),
    ),
  );
  return Date.now() - started;
}

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@marketplace/') ? undefined : { external: true },
    );
  },
};

/**
 * Node's flags for every service; the start script, the test stack, the image and compose all
 * run a service with them (tests/repo/node-flags.test.ts holds them to it). The young generation
 * is sized once, at start, at V8's own ceiling on 64-bit (two 16 MiB semi-spaces): grown on
 * demand, it doubles in steps under load, a one-off jump in memory that reads as a leak (the
 * soak saw product-service's RSS step up 15 MiB at minute 4 with its heap flat), and a young
 * generation that is big from the start promotes fewer short-lived objects. The pages are only
 * touched as they are used: an idle service costs no more.
 */
export const NODE_FLAGS = [
  '--enable-source-maps',
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
];

/** How a built service is started: `node <these> `. */
export function serviceCommand(service) {
  return [...NODE_FLAGS, `${service}/dist/server.mjs`];
}
