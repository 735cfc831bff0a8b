import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { checkKnownOptions, checkName, PluginOptionError } from './options.ts';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface HealthOptions {
  /** What `/ready` checks (the database, the broker); `/health` only says the process lives. */
  readiness?: ReadinessCheck[];
}

const PLUGIN = 'service-kit-health';

function checkReadiness(value: unknown): ReadinessCheck[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new PluginOptionError(PLUGIN, 'option "readiness" must be an array');
  const names = new Set<string>();
  return value.map((item: unknown, i) => {
    const at = `readiness[${i}]`;
    const { name, check } = (typeof item === 'object' && item !== null ? item : {}) as {
      name?: unknown;
      check?: unknown;
    };
    checkName(PLUGIN, `${at}.name`, name);
    if (typeof check !== 'function') {
      throw new PluginOptionError(PLUGIN, `option "${at}.check" must be a function`);
    }
    if (names.has(name as string)) {
      throw new PluginOptionError(PLUGIN, `option "${at}.name": "${String(name)}" is used twice`);
    }
    names.add(name as string);
    return item as ReadinessCheck;
  });
}

/** `/health` (the process lives) and `/ready` (every readiness check passes, else 503). */
const health: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  const checks = checkReadiness(checkKnownOptions(PLUGIN, options, ['readiness']).readiness);
  const hidden = { schema: { hide: true } };
  app.get('/health', hidden, async () => ({ status: 'ok' }));
  app.get('/ready', hidden, async (request, reply) => {
    const results: Record<string, string> = {};
    let ready = true;
    for (const { name, check } of checks) {
      try {
        await check();
        results[name] = 'ok';
      } catch (error) {
        ready = false;
        results[name] = 'unavailable';
        request.log.warn({ err: error, check: name }, 'readiness check failed');
      }
    }
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
};

export const healthPlugin = fp(health, { name: PLUGIN, fastify: '5.x' });
