import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { productionProblems } from '@marketplace/service-kit';
import {
  APP_SERVICES,
  ROOT,
  copySources,
  dockerIgnores,
  dockerignorePatterns,
  readCompose,
  dockerBuild,
  readDockerfile,
  readText,
  serviceEnv,
  workspaces,
} from './repo.ts';

const compose = readCompose();
const composeService = (name: string) => {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
};
const dockerfile = readDockerfile('Dockerfile');
/** What building `name`'s image runs: its target's stages of the one Dockerfile, args filled in. */
const imageOf = (name: string) => {
  const { build } = composeService(name);
  if (!build?.target) throw new Error(`${name} names no build target`);
  return dockerBuild(dockerfile, build.target, build.args ?? {});
};

// A default that points at the machine itself means the container itself inside Compose.
const pointsAtLocalhost = (value: unknown): boolean =>
  typeof value === 'string' && /127\.0\.0\.1|localhost/.test(value);

/**
 * Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?message}` (an unset or
 * empty mandatory variable throws its message, as `docker compose up` stops with it).
 */
function interpolate(value: unknown, env: Record<string, string>): string {
  return String(value).replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) => {
      const given = env[name];
      if (given !== undefined && given !== '') return given;
      if (kind === '?') throw new Error(`${name}: ${rest}`);
      return kind === '-' ? (rest ?? '') : '';
    },
  );
}

/** The variables `.env.example` documents (commented-out lines are optional ones). */
function envExample(): Record<string, string> {
  const entries = readText('.env.example')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match) => [match[1] ?? '', match[2] ?? ''] as const);
  return Object.fromEntries(entries);
}

/** A `.env` as a user makes it from the example: each empty value replaced by a fresh secret. */
function filledEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(envExample()).map(([name, value]) => [
      name,
      value || createHash('sha256').update(name).digest('hex'),
    ]),
  );
}

const mandatory = (text: string): string[] =>
  [...text.matchAll(/\$\{(\w+):\?[^}]+\}/g)].map((match) => match[1] ?? '');

const isSecret = (property: { production?: { secret?: unknown; credentials?: unknown } }) =>
  property.production?.secret !== undefined || property.production?.credentials !== undefined;

describe('docker-compose.yml', () => {
  it('when the app services are listed, then each is built from the root Dockerfile with its name and port', () => {
    for (const { name, port } of APP_SERVICES) {
      const { build } = composeService(name);
      expect(build, name).toEqual({
        context: '.',
        target: name === 'gateway' ? 'gateway' : 'service',
        args: { SERVICE: name, PORT: String(port) },
      });
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('when ports are published, then the gateway is the only app service with any', () => {
    const published = APP_SERVICES.filter(({ name }) => composeService(name).ports?.length);
    expect(published.map(({ name }) => name)).toEqual(['gateway']);
    expect(composeService('gateway').ports?.map((p) => p.split(':').pop())).toEqual(['8080']);
  });

  it('when a service waits for another to be healthy, then that one has a health check', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition !== 'service_healthy') continue;
        const target = composeService(dependency);
        const checked =
          target.healthcheck !== undefined ||
          (target.build !== undefined &&
            imageOf(dependency).some((i) => i.keyword === 'HEALTHCHECK'));
        expect(checked, `${name} waits for ${dependency} to be healthy`).toBe(true);
      }
    }
  });

  it('when an app service starts, then MySQL and RabbitMQ (or its upstreams) are healthy first', () => {
    for (const { name } of APP_SERVICES) {
      const conditions = Object.values(composeService(name).depends_on ?? {});
      expect(conditions.length, name).toBeGreaterThan(0);
      expect(
        conditions.every((d) => d.condition.startsWith('service_')),
        name,
      ).toBe(true);
    }
  });
});

describe('the secrets of docker-compose.yml', () => {
  it('when a secret is referenced, then it is mandatory, documented in .env.example and committed empty', () => {
    const example = envExample();
    const referenced = Object.values(compose.services).flatMap((service) =>
      Object.values(service.environment ?? {}).flatMap((value) => mandatory(String(value))),
    );
    expect(referenced).toEqual(
      expect.arrayContaining(['MYSQL_ROOT_PASSWORD', 'RABBITMQ_PASSWORD', 'INTERNAL_TOKEN']),
    );
    for (const name of referenced) {
      expect(example, `.env.example documents ${name}`).toHaveProperty(name);
      if (/PASSWORD|TOKEN|KEY|SECRET/.test(name)) expect(example[name], name).toBe('');
    }
  });

  it('when MySQL and RabbitMQ create their accounts, then the passwords come from .env', () => {
    expect(mandatory(String(composeService('mysql').environment?.MYSQL_ROOT_PASSWORD))).toEqual([
      'MYSQL_ROOT_PASSWORD',
    ]);
    const rabbitmq = composeService('rabbitmq').environment ?? {};
    expect(mandatory(String(rabbitmq.RABBITMQ_DEFAULT_USER))).toEqual(['RABBITMQ_USER']);
    expect(mandatory(String(rabbitmq.RABBITMQ_DEFAULT_PASS))).toEqual(['RABBITMQ_PASSWORD']);
  });

  it('when .env is git-ignored and kept out of images, then .env.example is still committed', () => {
    const ignored = (path: string): boolean => {
      try {
        execFileSync('git', ['check-ignore', '-q', path], { cwd: ROOT });
        return true;
      } catch {
        return false;
      }
    };
    expect(ignored('.env')).toBe(true);
    expect(ignored('.env.example')).toBe(false);
    expect(dockerIgnores(dockerignorePatterns(), '.env')).toBe(true);
  });

  it('when ports are published, then only the gateway listens on all interfaces', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'gateway') continue;
      for (const port of service.ports ?? []) {
        expect(port, `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it('when X-Forwarded-For is believed, then the services trust the backend and the gateway no one by default', () => {
    for (const { name } of APP_SERVICES) {
      const trusted = String(composeService(name).environment?.TRUSTED_PROXIES);
      // Published traffic reaches the gateway from the bridge, inside the backend subnet.
      if (name === 'gateway') expect(trusted, name).toMatch(/^\$\{\w+:-\}$/);
      else expect(trusted, name).toContain('BACKEND_SUBNET');
    }
  });
});

describe.each(APP_SERVICES)('$name in Compose', ({ name, port }) => {
  it('when run, then it is in production mode and seeds no demo data unless asked to', () => {
    const environment = composeService(name).environment ?? {};
    expect(interpolate(environment.NODE_ENV, {})).toBe('production');
    expect(interpolate(environment.SEED_DEMO ?? 'false', {})).toBe('false');
  });

  it('when it reads a secret, then Compose takes it from a mandatory variable of .env', async () => {
    const environment = composeService(name).environment ?? {};
    for (const property of (await serviceEnv(name)).filter(isSecret)) {
      const value = environment[property.name];
      expect(value, `${name} reads ${property.name}`).toBeDefined();
      expect(mandatory(String(value)).length, `${name}: ${property.name}`).toBeGreaterThan(0);
      expect(() => interpolate(value, {}), `${name}: ${property.name} without .env`).toThrow();
    }
  });

  it('when .env is made from .env.example, then its production configuration loads', async () => {
    const env = filledEnv();
    const environment = Object.fromEntries(
      Object.entries(composeService(name).environment ?? {}).map(([key, value]) => [
        key,
        interpolate(value, env),
      ]),
    );
    const url = pathToFileURL(join(ROOT, name, 'src', 'config.ts')).href;
    const { ConfigSchema } = (await import(url)) as {
      ConfigSchema: Parameters<typeof productionProblems>[0];
    };
    expect(environment.NODE_ENV).toBe('production');
    expect(productionProblems(ConfigSchema, environment)).toEqual([]);
  });

  it('when configured, then its port matches the config default, the Dockerfile and Compose', async () => {
    const env = await serviceEnv(name);
    const instructions = imageOf(name);
    expect(env.find((p) => p.name === 'PORT')?.default).toBe(port);
    expect(instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual([
      String(port),
    ]);
    expect(instructions.find((i) => i.keyword === 'ENV')?.args).toContain(`PORT=${port}`);
    expect(String(composeService(name).environment?.PORT)).toBe(String(port));
  });

  it('when it reads a variable, then Compose sets it unless its default fits a container', async () => {
    const environment = composeService(name).environment ?? {};
    const mustBeSet = (await serviceEnv(name)).filter(
      (p) => p.required || pointsAtLocalhost(p.default),
    );
    for (const property of mustBeSet) {
      expect(environment, `${name} reads ${property.name}`).toHaveProperty(property.name);
    }
    expect(environment.HOST).toBe('0.0.0.0');
  });

  it('when its image is built, then every COPY source exists and is not in .dockerignore', () => {
    const ignored = dockerignorePatterns();
    for (const source of copySources(imageOf(name))) {
      expect(existsSync(join(ROOT, source)), `Dockerfile for ${name}: COPY ${source}`).toBe(true);
      expect(dockerIgnores(ignored, source), `${source} is left out by .dockerignore`).toBe(false);
    }
  });

  it('when its image installs dependencies, then every workspace manifest is there for npm ci', () => {
    const sources = copySources(imageOf(name));
    for (const workspace of workspaces()) expect(sources).toContain(`${workspace}/package.json`);
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', name, 'libs']));
  });

  it('when its container runs, then it runs as node with a health check and its bundled server', () => {
    const instructions = imageOf(name);
    const last = (keyword: string) => instructions.filter((i) => i.keyword === keyword).pop();
    expect(last('USER')?.args).toBe('node');
    expect(last('HEALTHCHECK')?.args).toContain('/health');
    expect(last('CMD')?.args).toContain(`${name}/dist/server.mjs`);
    expect(
      instructions.some(
        (i) => i.keyword === 'RUN' && i.args.includes(`build-services.mjs ${name}`),
      ),
    ).toBe(true);
    expect(existsSync(join(ROOT, name, 'src', 'server.ts')), `${name}/src/server.ts`).toBe(true);
    expect(
      instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(' ')[0]),
    ).toEqual(expect.arrayContaining(['node:24-slim']));
  });
});

describe('the gateway image', () => {
  it('when built, then it contains the SPA built by npm run build:frontend', () => {
    const instructions = imageOf('gateway');
    expect(instructions.some((i) => i.keyword === 'RUN' && i.args.includes('build:frontend'))).toBe(
      true,
    );
    const runtime = instructions.slice(instructions.findLastIndex((i) => i.keyword === 'FROM'));
    expect(runtime.find((i) => i.keyword === 'ENV')?.args).toContain(
      'FRONTEND_DIST=/app/frontend/dist',
    );
    expect(composeService('gateway').environment?.FRONTEND_DIST).toBe('/app/frontend/dist');
    const copiesDist = runtime.some(
      (i) =>
        i.keyword === 'COPY' &&
        /^--from=\S+ \/app\/frontend\/dist \.\/frontend\/dist$/.test(i.args),
    );
    expect(copiesDist).toBe(true);
  });
});

describe('dockerIgnores', () => {
  it('when a pattern names a folder anywhere, then everything inside it is left out', () => {
    expect(dockerIgnores(['**/node_modules'], 'libs/db/node_modules/x')).toBe(true);
    expect(dockerIgnores(['**/test'], 'libs/testing/src/index.ts')).toBe(false);
    expect(dockerIgnores(['*.md', '!README.md'], 'README.md')).toBe(false);
  });
});
