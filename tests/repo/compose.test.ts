import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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
  type ComposeService,
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

/** What the checks below read of the file beyond repo.ts's ComposeService. */
interface FullService extends ComposeService {
  profiles?: string[];
  volumes?: string[];
  command?: string[] | string;
  restart?: string;
}
const file = compose as {
  services: Record<string, FullService>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(file.services);
const fullService = (name: string): FullService => {
  composeService(name);
  return file.services[name] as FullService;
};
/** The app (its folder) a compose service runs: its image's SERVICE build argument. */
const appOf = (service: FullService): string | undefined => service.build?.args?.SERVICE;
const inProfile = (profile: string) =>
  services.filter(([, service]) => service.profiles?.includes(profile));

type EnvValues = Record<string, string>;
interface ConfigModule {
  ConfigSchema: Parameters<typeof productionProblems>[0];
  loadConfig: (env: EnvValues) => Record<string, unknown>;
}
const configOf = async (app: string): Promise<ConfigModule> =>
  (await import(pathToFileURL(join(ROOT, app, 'src', 'config.ts')).href)) as ConfigModule;
const interpolated = (service: FullService, env: EnvValues): EnvValues =>
  Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(value, env)]),
  );

describe('the environment Compose gives the app containers', () => {
  it.each(services.filter(([, service]) => appOf(service) !== undefined))(
    'when %s is configured, then every variable it is given is one its config.ts reads',
    async (name, service) => {
      const app = appOf(service) ?? '';
      // NODE_ENV is read by the kit's configLoader itself (production mode), not by the schema.
      const read = new Set(['NODE_ENV', ...(await serviceEnv(app)).map((p) => p.name)]);
      const unread = Object.keys(service.environment ?? {}).filter((key) => !read.has(key));
      expect(unread, `${name} is given variables ${app}/src/config.ts never reads`).toEqual([]);
    },
  );
});

describe('health-gated start', () => {
  it('when a service waits for another, then it names a condition, and a plain `up` never waits for a profile', () => {
    for (const [name, service] of services) {
      const dependsOn: unknown = service.depends_on ?? {};
      // The short (list) form starts a service as soon as its dependency's container exists.
      expect(Array.isArray(dependsOn), `${name}: depends_on as a list has no condition`).toBe(
        false,
      );
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} -> ${dependency}`).toMatch(
          /^service_(healthy|started|completed_successfully)$/,
        );
        // Compose refuses a service outside a profile that depends on one inside it.
        if (!service.profiles?.length) {
          expect(fullService(dependency).profiles ?? [], `${name} -> ${dependency}`).toEqual([]);
        }
      }
    }
  });

  it('when `docker compose up` runs without a profile, then the infrastructure and every app service start', () => {
    for (const name of [
      'mysql',
      'rabbitmq',
      'redis',
      'mailpit',
      ...APP_SERVICES.map((s) => s.name),
    ]) {
      expect(fullService(name).profiles, name).toBeUndefined();
    }
  });
});

describe('the volumes of docker-compose.yml', () => {
  const mounts = services.flatMap(([name, service]) =>
    (service.volumes ?? []).map((entry) => {
      const [source = '', target = '', mode] = entry.split(':');
      return { name, entry, source, target, mode };
    }),
  );

  it('when a service keeps data, then it keeps it in a named volume declared at the top level', () => {
    const data: [string, string][] = [
      ['mysql', '/var/lib/mysql'],
      ['rabbitmq', '/var/lib/rabbitmq'],
      ['prometheus', '/prometheus'],
      ['grafana', '/var/lib/grafana'],
    ];
    const declared = Object.keys(file.volumes ?? {});
    for (const [name, target] of data) {
      const mount = mounts.find((m) => m.name === name && m.target === target);
      expect(mount, `${name} mounts ${target}`).toBeDefined();
      expect(declared, `${name}: ${mount?.entry}`).toContain(mount?.source);
    }
  });

  it('when a volume is mounted, then it is declared, or a read-only file of deploy/compose that exists', () => {
    const declared = Object.keys(file.volumes ?? {});
    for (const { name, entry, source, mode } of mounts) {
      if (/^[./~]/.test(source)) {
        expect(source, `${name}: ${entry}`).toMatch(/^\.\/deploy\/compose\//);
        expect(existsSync(join(ROOT, source)), `${name}: ${entry}`).toBe(true);
        expect(mode, `${name}: ${entry} is read-only`).toBe('ro');
      } else {
        expect(declared, `${name}: ${entry}`).toContain(source);
      }
    }
    const used = new Set(mounts.map((m) => m.source));
    expect(declared.filter((volume) => !used.has(volume))).toEqual([]);
  });
});

describe('the demo profile', () => {
  const seeders = inProfile('demo');

  it('when the demo is seeded, then there is one seeder for each service that has demo data', () => {
    const withDemoData = APP_SERVICES.map((s) => s.name).filter((app) =>
      /\bconfig\.SEED_DEMO\b/.test(readText(`${app}/src/app.ts`)),
    );
    expect(withDemoData.length).toBeGreaterThan(0);
    expect(seeders.map(([, service]) => appOf(service)).sort()).toEqual(withDemoData.sort());
  });

  it.each(seeders)(
    'when %s runs, then it is its service with SEED_DEMO=true, once the service is healthy',
    (name, seeder) => {
      const app = appOf(seeder) ?? '';
      const service = fullService(app);
      expect(seeder.build, name).toEqual(service.build);
      expect(seeder.environment, name).toEqual({ ...service.environment, SEED_DEMO: 'true' });
      expect(seeder.depends_on, name).toEqual({ [app]: { condition: 'service_healthy' } });
      // One command for all (tested below on a stand-in service).
      expect(seeder.command, name).toEqual(seeders[0]?.[1].command);
      // A one-shot job: published ports would clash with nothing, a restart would seed forever.
      expect(seeder.ports, name).toBeUndefined();
      expect(seeder.restart ?? 'no', name).toBe('no');
    },
  );

  it.each(seeders)(
    'when %s runs in production mode (the default), then its config refuses the demo data',
    async (name, seeder) => {
      const { ConfigSchema, loadConfig } = await configOf(appOf(seeder) ?? '');
      const production = interpolated(seeder, filledEnv());
      expect(production.NODE_ENV).toBe('production');
      expect(productionProblems(ConfigSchema, production).join('\n'), name).toMatch(/SEED_DEMO/);
      expect(() => loadConfig(production), name).toThrow(/SEED_DEMO/);
      const development = interpolated(seeder, { ...filledEnv(), NODE_ENV: 'development' });
      expect(loadConfig(development).SEED_DEMO, name).toBe(true);
    },
  );

  describe("a seeder's command", () => {
    const [, seeder] = seeders[0] ?? [];
    const command = seeder?.command;
    /** The seeder's script as its shell gets it (Compose turns `$$` into `$`). */
    const script = () => {
      expect(Array.isArray(command) && command.slice(0, 2)).toEqual(['sh', '-c']);
      return String(Array.isArray(command) ? command[2] : '').replaceAll('$$', '$');
    };
    const freePort = () =>
      new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          server.close(() => resolve(port));
        });
      });
    /** Runs the script with a stand-in service bundle in a scratch folder. */
    const runWith = async (refuse: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), 'demo-seed-'));
      try {
        mkdirSync(join(dir, 'fake', 'dist'), { recursive: true });
        writeFileSync(
          join(dir, 'fake', 'dist', 'server.mjs'),
          `import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
if (process.env.REFUSE) { console.error('SEED_DEMO: must not be true in production'); process.exit(1); }
const server = createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end());
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => { writeFileSync('stopped', ''); server.close(() => process.exit(0)); });
`,
        );
        const result = spawnSync('sh', ['-c', script()], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 20_000,
          env: {
            PATH: process.env.PATH ?? '',
            SERVICE: 'fake',
            PORT: String(await freePort()),
            ...(refuse ? { REFUSE: '1' } : {}),
          },
        });
        return { ...result, stopped: existsSync(join(dir, 'stopped')) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('when the service comes up (its seed done), then the seeder stops it and succeeds', async () => {
      const result = await runWith(false);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('fake: demo data seeded');
      expect(result.stopped).toBe(true);
    });

    it('when the service refuses to start (production mode), then the seeder fails', async () => {
      const result = await runWith(true);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('SEED_DEMO');
      expect(result.stderr).toContain('fake: demo data not seeded');
    });
  });
});

/** The host:port of each Prometheus job's static targets. */
function prometheusJobs(): Record<string, { path: string; targets: string[] }> {
  const config = parse(readText('deploy/compose/prometheus/prometheus.yml')) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs: { targets: string[] }[];
    }[];
  };
  return Object.fromEntries(
    config.scrape_configs.map((job) => [
      job.job_name,
      {
        path: job.metrics_path ?? '/metrics',
        targets: job.static_configs.flatMap((group) => group.targets),
      },
    ]),
  );
}

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr?: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
const DASHBOARD = 'deploy/compose/grafana/dashboards/marketplace.json';
const dashboardPanels = (): Panel[] => {
  const dashboard = JSON.parse(readText(DASHBOARD)) as { panels: Panel[] };
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
};

/** The metric names a PromQL expression reads (functions, labels, strings and ranges left out). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const operators = new Set(['and', 'or', 'unless', 'bool', 'offset']);
  return [...bare.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)]
    .filter((match) => !/^\s*\(/.test(bare.slice((match.index ?? 0) + match[0].length)))
    .map((match) => match[0])
    .filter((name) => !operators.has(name));
}

/** The code that defines metrics: ours (tests left out) and prom-client's default metrics. */
function metricSources(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(entry.name) && !entry.name.includes('.test.')) files.push(path);
    }
  };
  for (const lib of readdirSync(join(ROOT, 'libs'))) walk(join(ROOT, 'libs', lib, 'src'));
  for (const { name } of APP_SERVICES) walk(join(ROOT, name, 'src'));
  // collectDefaultMetrics (service-kit's metrics plugin) defines the process_* and nodejs_* ones.
  const promClient = dirname(
    createRequire(join(ROOT, 'libs/service-kit/package.json')).resolve('prom-client'),
  );
  walk(join(promClient, 'lib', 'metrics'));
  return files.map((path) => readText(path.slice(ROOT.length))).join('\n');
}

describe('the monitoring profile', () => {
  it('when monitoring runs, then Prometheus, Grafana and Jaeger are in the profile with pinned images', () => {
    expect(
      inProfile('monitoring')
        .map(([name]) => name)
        .sort(),
    ).toEqual(['grafana', 'jaeger', 'prometheus']);
    expect(fullService('prometheus').image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(fullService('grafana').image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(fullService('jaeger').image).toMatch(/^jaegertracing\/jaeger:\d+\.\d+\.\d+$/);
  });

  it('when traces are wanted, then every app service reads an optional endpoint that .env can point at Jaeger', async () => {
    // Documented in .env.example as a commented line: Compose cannot tie a variable to a profile.
    const documented = /^#\s*OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)$/m.exec(
      readText('.env.example'),
    )?.[1];
    const endpoint = new URL(documented ?? '');
    expect(endpoint.hostname).toBe('jaeger');
    // Jaeger's OTLP/HTTP receiver listens on that port for the other containers.
    const command = fullService('jaeger').command;
    expect(Array.isArray(command) ? command : []).toContain(
      `--set=receivers.otlp.protocols.http.endpoint=0.0.0.0:${endpoint.port}`,
    );
    expect(fullService('jaeger').ports).toEqual(['127.0.0.1:${JAEGER_HOST_PORT:-16686}:16686']);
    for (const { name } of APP_SERVICES) {
      const environment = fullService(name).environment ?? {};
      expect(environment.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe(
        '${OTEL_EXPORTER_OTLP_ENDPOINT:-}',
      );
      const property = (await serviceEnv(name)).find(
        (p) => p.name === 'OTEL_EXPORTER_OTLP_ENDPOINT',
      );
      expect(property?.required, name).toBe(false);
    }
  });

  it('when Prometheus starts, then it reads the committed configuration', () => {
    const prometheus = fullService('prometheus');
    const configFile = String(
      (Array.isArray(prometheus.command) ? prometheus.command : [])
        .find((arg) => arg.startsWith('--config.file='))
        ?.split('=')[1],
    );
    expect(prometheus.volumes).toContain(
      `./deploy/compose/prometheus/prometheus.yml:${configFile}:ro`,
    );
  });

  it("when Prometheus scrapes, then it reaches every service's /metrics on the port it serves it", async () => {
    const jobs = prometheusJobs();
    const expected = await Promise.all(
      APP_SERVICES.map(async ({ name }) => {
        const environment = fullService(name).environment ?? {};
        const port = String(environment.PORT);
        if (name !== 'gateway') return `${name}:${port}`;
        // The gateway refuses /metrics on its public port: only its ops listener answers it.
        const opsDefault = (await serviceEnv(name)).find((p) => p.name === 'OPS_PORT')?.default;
        const opsPort = String(environment.OPS_PORT ?? opsDefault);
        expect(opsPort).not.toBe(port);
        return `${name}:${opsPort}`;
      }),
    );
    expect(jobs.marketplace?.path).toBe('/metrics');
    expect([...(jobs.marketplace?.targets ?? [])].sort()).toEqual(expected.sort());
    // RabbitMQ's rabbitmq_prometheus plugin listens on 15692.
    expect(jobs.rabbitmq?.targets).toEqual(['rabbitmq:15692']);
    for (const target of Object.values(jobs).flatMap((job) => job.targets)) {
      const host = target.split(':')[0] ?? '';
      expect(fullService(host).profiles ?? [], `${target} runs without a profile`).toEqual([]);
    }
  });

  it('when Grafana starts, then its Prometheus datasource and the dashboard are provisioned', () => {
    const grafana = fullService('grafana');
    const mountOf = (source: string) =>
      grafana.volumes?.find((v) => v.startsWith(`${source}:`))?.split(':')[1];
    expect(mountOf('./deploy/compose/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const datasources = parse(
      readText('deploy/compose/grafana/provisioning/datasources/prometheus.yml'),
    ) as { datasources: { uid: string; type: string; url: string }[] };
    const [datasource] = datasources.datasources;
    const prometheusPort = fullService('prometheus').ports?.[0]?.split(':').pop();
    expect(datasource?.type).toBe('prometheus');
    expect(datasource?.url).toBe(`http://prometheus:${prometheusPort}`);
    const providers = parse(
      readText('deploy/compose/grafana/provisioning/dashboards/marketplace.yml'),
    ) as { providers: { options: { path: string } }[] };
    expect(providers.providers[0]?.options.path).toBe(
      mountOf('./deploy/compose/grafana/dashboards'),
    );
    for (const panel of dashboardPanels().filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe(datasource?.uid);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid ?? datasource?.uid, panel.title).toBe(datasource?.uid);
      }
    }
  });

  it("when the dashboard is read, then each panel queries metrics the services' code defines", () => {
    const panels = dashboardPanels().filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(0);
    const sources = metricSources();
    const defined = (name: string) =>
      [name, name.replace(/_(bucket|count|sum)$/, '')].some((candidate) =>
        new RegExp(`['"\`]${candidate}['"\`]`).test(sources),
      );
    for (const panel of panels) {
      const exprs = (panel.targets ?? []).map((target) => target.expr ?? '');
      expect(exprs.length, panel.title).toBeGreaterThan(0);
      for (const expr of exprs) {
        const names = metricNames(expr);
        expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) expect(defined(name), `${panel.title}: ${name}`).toBe(true);
      }
    }
  });

  it('when a PromQL expression is read, then only its metric names are taken', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{status=~"5.."}[$__rate_interval]))) / on(service) up',
      ),
    ).toEqual(['http_request_duration_seconds_bucket', 'up']);
  });
});

const dockerComposeFound =
  spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).error === undefined;

const SKIP_REASON =
  'no docker-compose on the PATH: apt-get install docker-compose (Debian, v1), as .ci/run does';
if (!dockerComposeFound) console.warn(`docker-compose config checks SKIPPED: ${SKIP_REASON}`);

describe.skipIf(!dockerComposeFound)(
  dockerComposeFound ? 'docker-compose config' : `docker-compose config (SKIPPED: ${SKIP_REASON})`,
  () => {
    /** Debian's docker-compose (v1) on the file, with exactly `env` (no .env of the checkout). */
    const dockerCompose = (args: string[], env: EnvValues) => {
      const dir = mkdtempSync(join(tmpdir(), 'compose-config-'));
      try {
        const envFile = join(dir, 'empty.env');
        writeFileSync(envFile, '');
        return spawnSync(
          'docker-compose',
          [
            '--env-file',
            envFile,
            '--project-directory',
            ROOT,
            '-f',
            join(ROOT, 'docker-compose.yml'),
            ...args,
          ],
          {
            cwd: dir,
            encoding: 'utf8',
            env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
          },
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    // Without a profile: the resolving test below.
    it.each([[['--profile', 'demo']], [['--profile', 'monitoring']]])(
      'when .env is made from .env.example, then it accepts the file with profiles %j',
      (profiles: string[]) => {
        const result = dockerCompose([...profiles, 'config', '-q'], filledEnv());
        expect(result.status, result.stderr).toBe(0);
      },
    );

    it('when a secret of .env is missing, then it refuses the file naming the variable', () => {
      const { MYSQL_ROOT_PASSWORD: _, ...rest } = filledEnv();
      const result = dockerCompose(['config', '-q'], rest);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('set MYSQL_ROOT_PASSWORD in .env');
    });

    it('when it resolves the file without a profile, then it accepts it, and every environment and profile is what these tests read', () => {
      const env = filledEnv();
      const result = dockerCompose(['config'], env);
      expect(result.status, result.stderr).toBe(0);
      const resolved = parse(result.stdout) as { services: Record<string, FullService> };
      expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(file.services).sort());
      for (const [name, service] of services) {
        const theirs = resolved.services[name];
        expect(theirs?.environment ?? {}, name).toEqual(interpolated(service, env));
        expect(theirs?.profiles, name).toEqual(service.profiles);
      }
    });
  },
);
