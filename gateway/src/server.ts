import { startService } from '@marketplace/service-kit';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import type { OpsListener } from './edge/ops-listener.ts';

let ops: OpsListener | undefined;
const app = await startService({
  name: 'gateway',
  loadConfig,
  buildApp: async (config) => {
    const built = await buildApp(config);
    ops = built.ops;
    return built;
  },
});
try {
  app.log.info({ url: await ops?.listen() }, 'ops endpoints listening');
} catch (error) {
  app.log.fatal({ err: error }, 'could not listen on the ops port');
  await app.close().catch(() => undefined);
  process.exit(1);
}
