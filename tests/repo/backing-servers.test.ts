import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './repo.ts';

// The planner of scripts/lib/backing-servers.mjs is pure: probes and tools in, actions out. These
// are the shapes of the parts tested here (the script is plain JavaScript).
interface Check {
  check: { name: 'MySQL' | 'RabbitMQ'; variable: string; example: string };
  url: string;
  result: { ok: boolean; detail: string; closed?: boolean; invalid?: boolean };
}
interface Tools {
  docker: { command: string[]; wait: boolean } | null;
  composeText: string;
  mysql: {
    daemon: string | null;
    startStopDaemon: string | null;
    safe: string | null;
    admin: string | null;
  };
  rabbitmq: { server: string | null; ctl: string | null };
}
interface Command {
  command: string;
  args: string[];
  env?: Record<string, string>;
}
interface Action {
  kind: 'docker' | 'installed';
  names?: string[];
  services?: string[];
  compose?: string[];
  wait?: boolean;
  name?: string;
  label?: string;
  start?: Command;
  stop?: Command;
  precheck?: Command;
}
interface BackingServers {
  COMPOSE_SERVICES: Record<string, string>;
  isLocalUrl: (url: string) => boolean;
  parseDotenv: (text: string) => Record<string, string>;
  planBackingServers: (input: { checks: Check[]; tools: Tools; isRoot: boolean; uid?: number }) => {
    actions: Action[];
    failures: string[];
  };
  composeSettings: (input: {
    names: string[];
    urls: Record<string, string>;
    env: Record<string, string>;
    dotenv: Record<string, string>;
    composeText: string;
  }) => { vars: Record<string, string>; urls: Record<string, string> };
}

const lib = async (): Promise<BackingServers> =>
  (await import(
    new URL('../../scripts/lib/backing-servers.mjs', import.meta.url).href
  )) as BackingServers;

const MYSQL = {
  name: 'MySQL',
  variable: 'MYSQL_URL',
  example: 'mysql://root@127.0.0.1:3306',
} as const;
const RABBITMQ = {
  name: 'RabbitMQ',
  variable: 'RABBITMQ_URL',
  example: 'amqp://guest:guest@127.0.0.1:5672',
} as const;
const refused = { ok: false, detail: 'connect ECONNREFUSED', closed: true };
const answers = { ok: true, detail: 'server 10.11' };
const down = (
  mysql = 'mysql://root@127.0.0.1:3306',
  amqp = 'amqp://guest:guest@127.0.0.1:5672',
) => [
  { check: MYSQL, url: mysql, result: refused },
  { check: RABBITMQ, url: amqp, result: refused },
];
const NOTHING: Tools = {
  docker: null,
  composeText: '',
  mysql: { daemon: null, startStopDaemon: null, safe: null, admin: null },
  rabbitmq: { server: null, ctl: null },
};
const INSTALLED: Tools = {
  ...NOTHING,
  mysql: {
    daemon: '/usr/sbin/mariadbd',
    startStopDaemon: '/usr/sbin/start-stop-daemon',
    safe: '/usr/bin/mysqld_safe',
    admin: 'mariadb-admin',
  },
  rabbitmq: { server: '/usr/sbin/rabbitmq-server', ctl: '/usr/sbin/rabbitmqctl' },
};
const DOCKER: Tools = { ...INSTALLED, docker: { command: ['docker', 'compose'], wait: true } };

describe('planBackingServers', () => {
  it('when Docker runs, then only the missing servers are started with Compose, even as root with servers installed', async () => {
    const { planBackingServers } = await lib();
    const [mysql, amqp] = down();
    const { actions, failures } = planBackingServers({
      checks: [mysql!, { ...amqp!, result: answers }],
      tools: DOCKER,
      isRoot: true,
    });
    expect(failures).toEqual([]);
    expect(actions).toMatchObject([{ kind: 'docker', services: ['mysql'], wait: true }]);
  });

  it('when there is no Docker but installed servers and root, then they are started as installed servers', async () => {
    const { planBackingServers } = await lib();
    const { actions, failures } = planBackingServers({
      checks: down('mysql://root@localhost:3307'),
      tools: INSTALLED,
      isRoot: true,
    });
    expect(failures).toEqual([]);
    expect(actions).toMatchObject([
      {
        kind: 'installed',
        label: 'MariaDB',
        start: {
          command: 'start-stop-daemon',
          args: ['--start', '--background', '--exec', '/usr/sbin/mariadbd', '--', '--port=3307'],
        },
        stop: {
          command: 'mariadb-admin',
          args: ['--protocol=TCP', '-h', 'localhost', '-P', '3307', '-u', 'root', 'shutdown'],
        },
      },
      {
        kind: 'installed',
        label: 'RabbitMQ',
        precheck: { command: 'rabbitmqctl', args: ['ping'] },
        start: {
          command: 'rabbitmq-server',
          args: ['-detached'],
          env: { RABBITMQ_NODE_PORT: '5672' },
        },
        stop: { command: 'rabbitmqctl', args: ['stop'] },
      },
    ]);
  });

  it('when start-stop-daemon is missing, then MySQL is started with mysqld_safe', async () => {
    const { planBackingServers } = await lib();
    const tools = { ...INSTALLED, mysql: { ...INSTALLED.mysql, startStopDaemon: null } };
    const { actions } = planBackingServers({ checks: down().slice(0, 1), tools, isRoot: true });
    expect(actions).toMatchObject([{ start: { command: 'mysqld_safe', args: ['--port=3306'] } }]);
  });

  it('when not root, then nothing is started and the instructions say what to run as root', async () => {
    const { planBackingServers } = await lib();
    const { actions, failures } = planBackingServers({
      checks: down(),
      tools: INSTALLED,
      isRoot: false,
      uid: 1000,
    });
    expect(actions).toEqual([]);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain('not root');
    expect(failures[0]).toContain(
      'As root: start-stop-daemon --start --background --exec /usr/sbin/mariadbd -- --port=3306',
    );
    expect(failures[1]).toContain('As root: RABBITMQ_NODE_PORT=5672 rabbitmq-server -detached');
    // The instructions of before are still there.
    expect(failures[1]).toContain('sudo systemctl start rabbitmq-server');
  });

  it('when neither Docker nor an installed server is there, then the failures are the instructions', async () => {
    const { planBackingServers } = await lib();
    const { actions, failures } = planBackingServers({
      checks: down(),
      tools: NOTHING,
      isRoot: true,
    });
    expect(actions).toEqual([]);
    expect(failures[0]).toContain('MySQL is not reachable at mysql://root@127.0.0.1:3306');
    expect(failures[0]).toContain(
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    );
    expect(failures[1]).toContain('rabbitmq-server -detached');
  });

  it('when the URL is remote, or something else holds the port, then it is never started', async () => {
    const { planBackingServers } = await lib();
    const checks: Check[] = [
      { check: MYSQL, url: 'mysql://root@db.example.com:3306', result: refused },
      {
        check: RABBITMQ,
        url: 'amqp://guest:guest@127.0.0.1:5672',
        result: { ok: false, detail: 'not an AMQP broker' },
      },
    ];
    const { actions, failures } = planBackingServers({ checks, tools: DOCKER, isRoot: true });
    expect(actions).toEqual([]);
    expect(failures[0]).toContain('It is not on this machine');
    expect(failures[1]).toContain('Something listens on port 5672');
  });

  it('when a URL is local, then 127.0.0.1, localhost and ::1 count; other hosts and amqps do not', async () => {
    const { isLocalUrl } = await lib();
    expect(isLocalUrl('mysql://root@127.0.0.1:3306')).toBe(true);
    expect(isLocalUrl('mysql://root@localhost')).toBe(true);
    expect(isLocalUrl('amqp://[::1]:5672')).toBe(true);
    expect(isLocalUrl('mysql://root@10.0.0.5:3306')).toBe(false);
    expect(isLocalUrl('amqps://guest:guest@localhost:5671')).toBe(false);
    expect(isLocalUrl('not a url')).toBe(false);
  });
});

describe('composeSettings', () => {
  const composeText =
    'x: ${INTERNAL_TOKEN:?set it} ${MYSQL_ROOT_PASSWORD:?set it} ${JWT_SIGNING_KEY:?x}';

  it('when the URLs carry no credentials, then the containers get development ones and the URLs them', async () => {
    const { composeSettings } = await lib();
    const { vars, urls } = composeSettings({
      names: ['MySQL', 'RabbitMQ'],
      urls: { MySQL: 'mysql://root@127.0.0.1:3307', RabbitMQ: 'amqp://guest:guest@127.0.0.1:5673' },
      env: {},
      dotenv: {},
      composeText,
    });
    expect(vars).toMatchObject({
      MYSQL_ROOT_PASSWORD: 'marketplace',
      MYSQL_HOST_PORT: '3307',
      RABBITMQ_USER: 'marketplace',
      RABBITMQ_PASSWORD: 'marketplace',
      AMQP_HOST_PORT: '5673',
      // Required by the compose file for the application services only.
      INTERNAL_TOKEN: 'unused-by-npm-start',
      JWT_SIGNING_KEY: 'unused-by-npm-start',
    });
    expect(urls).toEqual({
      MySQL: 'mysql://root:marketplace@127.0.0.1:3307',
      RabbitMQ: 'amqp://marketplace:marketplace@127.0.0.1:5673',
    });
  });

  it('when .env has the secrets, then those are used; a password in the URL wins and the URL is kept', async () => {
    const { composeSettings, parseDotenv } = await lib();
    const dotenv = parseDotenv(
      '# comment\nMYSQL_ROOT_PASSWORD=from-dotenv\nRABBITMQ_USER="rabbit"\nRABBITMQ_PASSWORD=\'carrot\'\nINTERNAL_TOKEN=\n',
    );
    const fromDotenv = composeSettings({
      names: ['MySQL', 'RabbitMQ'],
      urls: { MySQL: 'mysql://root@127.0.0.1:3306', RabbitMQ: 'amqp://127.0.0.1' },
      env: {},
      dotenv,
      composeText,
    });
    expect(fromDotenv.urls).toEqual({
      MySQL: 'mysql://root:from-dotenv@127.0.0.1:3306',
      RabbitMQ: 'amqp://rabbit:carrot@127.0.0.1',
    });
    // An empty value in .env is as good as none for Compose's ${VAR:?}.
    expect(fromDotenv.vars.INTERNAL_TOKEN).toBe('unused-by-npm-start');
    const fromUrl = composeSettings({
      names: ['MySQL'],
      urls: { MySQL: 'mysql://root:s%40cret@127.0.0.1:3306' },
      env: {},
      dotenv,
      composeText,
    });
    expect(fromUrl.vars.MYSQL_ROOT_PASSWORD).toBe('s@cret');
    expect(fromUrl.urls).toEqual({});
    expect(fromUrl.vars).not.toHaveProperty('RABBITMQ_USER');
  });

  it('when the repo compose file is read, then it has the services and port variables npm start uses', async () => {
    const { COMPOSE_SERVICES } = await lib();
    const text = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
    const compose = parse(text) as { services: Record<string, { ports?: string[] }> };
    expect(compose.services[COMPOSE_SERVICES.MySQL!]?.ports).toContain(
      '127.0.0.1:${MYSQL_HOST_PORT:-3306}:3306',
    );
    expect(compose.services[COMPOSE_SERVICES.RabbitMQ!]?.ports).toContain(
      '127.0.0.1:${AMQP_HOST_PORT:-5672}:5672',
    );
  });

  const dockerCompose = (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => existsSync(join(dir, 'docker-compose')));

  // Debian's docker-compose (v1) renders the file without an engine: with npm start's variables
  // and no .env, Compose must accept it (a new required secret would otherwise stop the start).
  it.runIf(dockerCompose)(
    'when Compose renders the repo file with those variables and no .env, then it accepts it',
    async () => {
      const { composeSettings } = await lib();
      const composeText = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
      const { vars } = composeSettings({
        names: ['MySQL', 'RabbitMQ'],
        urls: {
          MySQL: 'mysql://root@127.0.0.1:3306',
          RabbitMQ: 'amqp://guest:guest@127.0.0.1:5672',
        },
        env: {},
        dotenv: {},
        composeText,
      });
      const dir = await mkdtemp(join(tmpdir(), 'compose-env-'));
      try {
        await copyFile(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
        const env = { PATH: process.env.PATH ?? '', HOME: dir };
        expect(() =>
          execFileSync('docker-compose', ['config', '-q'], { cwd: dir, env, stdio: 'pipe' }),
        ).toThrow();
        execFileSync('docker-compose', ['config', '-q'], {
          cwd: dir,
          env: { ...env, ...vars },
          stdio: 'pipe',
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    20_000,
  );
});
