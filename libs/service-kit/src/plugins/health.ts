import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { checkKnownOptions, checkName, PluginOptionError } from './options.ts';

/** A readiness check: resolves when the thing it checks (the database, the broker) answers. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  /** What `/ready` checks, by name; `/health` only says the process lives. */
  readiness?: Record<string, ReadinessCheck>;
}

const PLUGIN = 'service-kit-health';

function checkReadiness(value: unknown): [string, ReadinessCheck][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PluginOptionError(PLUGIN, 'option "readiness" must be an object of checks by name');
  }
  return Object.entries(value).map(([name, check]: [string, unknown]) => {
    checkName(PLUGIN, 'readiness', name);
    if (typeof check !== 'function') {
      throw new PluginOptionError(PLUGIN, `option "readiness.${name}" must be a function`);
    }
    return [name, check as ReadinessCheck];
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
    for (const [name, check] of checks) {
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
