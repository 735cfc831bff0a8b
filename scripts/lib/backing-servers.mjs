// npm start brings up MySQL and RabbitMQ when they do not answer on this machine: with Docker
// Compose when a Docker engine runs, else the installed server (as root), else it stops with
// instructions. It stops only what it started. The planner is pure (given the probes and the
// tools found); the runner calls the commands by name from the PATH, so tests can fake them.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { describeFailure, displayUrl, probeMysql, probeRabbitmq } from './preflight.mjs';

/** The docker-compose.yml services that run each backing server. */
export const COMPOSE_SERVICES = { MySQL: 'mysql', RabbitMQ: 'rabbitmq' };
// The compose file publishes each on ${<var>:-default}; npm start sets it to the URL's port.
const HOST_PORT_VARS = { MySQL: 'MYSQL_HOST_PORT', RabbitMQ: 'AMQP_HOST_PORT' };
const DEFAULT_PORTS = { MySQL: 3306, RabbitMQ: 5672 };
// Development credentials for containers npm start creates when neither the URL nor .env has any.
const DEV_USER = 'marketplace';
const DEV_PASSWORD = 'marketplace';
// Compose interpolates the whole file, so the application services' required secrets must be set
// even when only mysql and rabbitmq are started; they never reach those two containers.
const UNUSED = 'unused-by-npm-start';
const STILL_RUNNING = 'it will be stopped when npm start stops';

function hostOf(raw) {
  return new URL(raw).hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Only a server on this machine (and plain AMQP, which is what the compose file publishes) is started. */
export function isLocalUrl(raw) {
  try {
    const host = hostOf(raw);
    if (raw.startsWith('amqps:')) return false;
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

function portOf(name, raw) {
  return Number(new URL(raw).port || DEFAULT_PORTS[name]);
}

/** The directories searched for a command: the PATH, plus sbin for a non-root user's message. */
export function searchDirs(env, isRoot) {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  // Root runs what it finds on its PATH only; a user's PATH often lacks sbin, and for a user the
  // result only names what to run as root.
  if (!isRoot) dirs.push('/usr/local/sbin', '/usr/sbin', '/sbin');
  return dirs;
}

export function which(name, dirs) {
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Runs a command to its end; code -1 when it cannot be run or takes longer than `timeoutMs`. */
export function run(command, args, { env, cwd, timeoutMs = 60_000, inherit = false } = {}) {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, {
        env,
        cwd,
        stdio: ['ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
      });
    } catch (error) {
      resolve({ code: -1, output: String(error) });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** What this machine offers to start a server with. */
export async function detectTools({ root, env, isRoot }) {
  const dirs = searchDirs(env, isRoot);
  const find = (name) => which(name, dirs);
  let docker = null;
  const composeFile = join(root, 'docker-compose.yml');
  // `docker info` fails without a running engine (a client alone cannot start containers).
  if (
    existsSync(composeFile) &&
    find('docker') &&
    (await run('docker', ['info'], { env, timeoutMs: 15_000 })).code === 0
  ) {
    if ((await run('docker', ['compose', 'version'], { env, timeoutMs: 15_000 })).code === 0) {
      docker = { command: ['docker', 'compose'], wait: true };
    } else if (find('docker-compose')) {
      // Compose v1 has no --wait: the runner polls the ports instead.
      docker = { command: ['docker-compose'], wait: false };
    }
  }
  return {
    docker,
    composeText: docker ? readFileSync(composeFile, 'utf8') : '',
    mysql: {
      daemon: find('mariadbd') ?? find('mysqld'),
      startStopDaemon: find('start-stop-daemon'),
      safe: find('mysqld_safe'),
      admin: find('mariadb-admin') ? 'mariadb-admin' : find('mysqladmin') ? 'mysqladmin' : null,
    },
    rabbitmq: { server: find('rabbitmq-server'), ctl: find('rabbitmqctl') },
  };
}

/** KEY=VALUE lines of a .env file (what Compose reads too); quotes stripped. */
export function parseDotenv(text) {
  const values = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/**
 * The variables Compose needs to start `names` on the URLs' ports, and the URLs the services then
 * use: a URL without credentials gets those of the containers (from the environment or .env, else
 * development ones). RabbitMQ refuses guest through Docker's port mapping (it is not loopback
 * there), so guest is replaced too.
 */
export function composeSettings({ names, urls, env, dotenv, composeText }) {
  const pick = (key) => env[key] || dotenv[key] || undefined;
  const vars = {};
  const newUrls = {};
  if (names.includes('MySQL')) {
    const url = new URL(urls.MySQL);
    const password = url.password ? decodeURIComponent(url.password) : pick('MYSQL_ROOT_PASSWORD');
    vars.MYSQL_ROOT_PASSWORD = password ?? DEV_PASSWORD;
    vars[HOST_PORT_VARS.MySQL] = String(portOf('MySQL', urls.MySQL));
    if (!url.password) {
      url.password = encodeURIComponent(vars.MYSQL_ROOT_PASSWORD);
      newUrls.MySQL = url.toString();
    }
  }
  if (names.includes('RabbitMQ')) {
    const url = new URL(urls.RabbitMQ);
    const user = decodeURIComponent(url.username) || 'guest';
    if (user === 'guest') {
      vars.RABBITMQ_USER = pick('RABBITMQ_USER') ?? DEV_USER;
      vars.RABBITMQ_PASSWORD = pick('RABBITMQ_PASSWORD') ?? DEV_PASSWORD;
      url.username = encodeURIComponent(vars.RABBITMQ_USER);
      url.password = encodeURIComponent(vars.RABBITMQ_PASSWORD);
      newUrls.RabbitMQ = url.toString();
    } else {
      vars.RABBITMQ_USER = user;
      vars.RABBITMQ_PASSWORD = decodeURIComponent(url.password);
    }
    vars[HOST_PORT_VARS.RabbitMQ] = String(portOf('RabbitMQ', urls.RabbitMQ));
  }
  for (const [, key] of composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)) {
    if (!(key in vars) && !pick(key)) vars[key] = UNUSED;
  }
  return { vars, urls: newUrls };
}

function mysqlLabel(tools) {
  return basename(tools.mysql.daemon ?? '') === 'mariadbd' ||
    (!tools.mysql.daemon && tools.mysql.admin === 'mariadb-admin')
    ? 'MariaDB'
    : 'MySQL';
}

/** How the installed server would be started and stopped, or null when it is not installed. */
function installedServer(name, url, tools) {
  const port = portOf(name, url);
  if (name === 'MySQL') {
    const { daemon, startStopDaemon, safe, admin } = tools.mysql;
    const viaDaemon = Boolean(daemon && startStopDaemon);
    // Without mariadb-admin/mysqladmin npm start could not stop it again, so it does not start it.
    if (!admin || (!viaDaemon && !safe)) return null;
    const parsed = new URL(url);
    const stop = {
      command: admin,
      args: [
        '--protocol=TCP',
        '-h',
        hostOf(url),
        '-P',
        String(port),
        '-u',
        decodeURIComponent(parsed.username) || 'root',
        'shutdown',
      ],
      // The password through the environment, never on a command line others can read.
      env: parsed.password ? { MYSQL_PWD: decodeURIComponent(parsed.password) } : {},
    };
    // Without --oknodo: exit status 1 means a server of that binary already runs (on another
    // port), which npm start must neither claim nor stop.
    const start = viaDaemon
      ? {
          command: 'start-stop-daemon',
          args: ['--start', '--background', '--exec', daemon, '--', `--port=${port}`],
          alreadyRunningCode: 1,
        }
      : { command: 'mysqld_safe', args: [`--port=${port}`], detached: true };
    return { label: mysqlLabel(tools), start, stop };
  }
  const { server, ctl } = tools.rabbitmq;
  if (!server || !ctl) return null;
  return {
    label: 'RabbitMQ',
    // A node that answers `ping` already runs (on another port): neither claimed nor stopped.
    precheck: { command: 'rabbitmqctl', args: ['ping'] },
    start: {
      command: 'rabbitmq-server',
      args: ['-detached'],
      env: { RABBITMQ_NODE_PORT: String(port) },
    },
    stop: { command: 'rabbitmqctl', args: ['stop'] },
  };
}

function shellLine({ command, args, env = {} }) {
  const assignments = Object.entries(env)
    .filter(([key]) => key !== 'MYSQL_PWD')
    .map(([key, value]) => `${key}=${value} `);
  return `${assignments.join('')}${command} ${args.join(' ')}`.trim();
}

/**
 * Decides, from the probes and the tools found, what to start and what to report. Pure.
 * checks: [{ check: { name, variable, example }, url, result }] as probeBackingServices returns;
 * tools: as detectTools returns. Returns { actions, failures } (failures are printable blocks).
 */
export function planBackingServers({ checks, tools, isRoot, uid = isRoot ? 0 : 1000 }) {
  const failures = [];
  const startable = [];
  for (const entry of checks) {
    const { check, url, result } = entry;
    if (result.ok) continue;
    if (result.invalid) {
      failures.push(describeFailure(check, url, result));
    } else if (!isLocalUrl(url)) {
      failures.push(
        describeFailure(check, url, result, [
          'It is not on this machine (or not plain AMQP), so npm start does not start it.',
        ]),
      );
    } else if (!result.closed) {
      failures.push(
        describeFailure(check, url, result, [
          `Something listens on port ${portOf(check.name, url)}, so npm start does not start another server there.`,
        ]),
      );
    } else {
      startable.push(entry);
    }
  }
  const actions = [];
  if (startable.length > 0 && tools.docker) {
    const names = startable.map((e) => e.check.name);
    actions.push({
      kind: 'docker',
      names,
      services: names.map((n) => COMPOSE_SERVICES[n]),
      compose: tools.docker.command,
      wait: tools.docker.wait,
      urls: Object.fromEntries(startable.map((e) => [e.check.name, e.url])),
    });
    return { actions, failures };
  }
  for (const { check, url, result } of startable) {
    const server = installedServer(check.name, url, tools);
    if (!server) {
      failures.push(describeFailure(check, url, result));
    } else if (!isRoot) {
      failures.push(
        describeFailure(check, url, result, [
          `${server.label} is installed, but npm start runs as uid ${uid}, not root, so it does not start it.`,
          `As root: ${shellLine(server.start)}   (or run npm start as root)`,
        ]),
      );
    } else {
      actions.push({ kind: 'installed', name: check.name, url, ...server });
    }
  }
  return { actions, failures };
}

const PROBES = { MySQL: probeMysql, RabbitMQ: probeRabbitmq };

async function waitUntilAnswering(name, url, deadline, probes) {
  let last = { ok: false, detail: 'not tried' };
  while (Date.now() < deadline) {
    last = await probes[name](url, 1000);
    if (last.ok) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return last;
}

/**
 * Carries out the plan's actions. Returns what it started (for stopBackingServers), the URLs the
 * services must use instead (credentials of the containers) and the failures to print.
 */
export async function startBackingServers(
  actions,
  { root, env, say, timeoutMs = 180_000, probes = PROBES },
) {
  const started = [];
  const failures = [];
  const urls = {};
  const deadline = Date.now() + timeoutMs;
  const seconds = Math.round(timeoutMs / 1000);
  for (const action of actions) {
    if (action.kind === 'docker') {
      const dotenvPath = join(root, '.env');
      const dotenv = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath, 'utf8')) : {};
      const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
      const settings = composeSettings({
        names: action.names,
        urls: action.urls,
        env,
        dotenv,
        composeText,
      });
      const composeEnv = { ...env, ...settings.vars };
      const [command, ...base] = action.compose;
      const compose = (args, options = {}) =>
        run(command, [...base, ...args], { env: composeEnv, cwd: root, ...options });
      // A service already running (maybe still starting) is not npm start's to stop.
      const ps = await compose(['ps', '--services', '--filter', 'status=running']);
      const running = ps.code === 0 ? ps.output.split(/\s+/).filter(Boolean) : action.services;
      const ours = action.services.filter((s) => !running.includes(s));
      const line = [
        ...action.compose,
        'up',
        '-d',
        ...(action.wait ? ['--wait'] : []),
        ...action.services,
      ];
      say(`Starting ${action.names.join(' and ')} with Docker Compose: ${line.join(' ')}`);
      const up = await compose(line.slice(action.compose.length), {
        inherit: true,
        timeoutMs: Math.max(1000, deadline - Date.now()),
      });
      if (ours.length > 0) {
        started.push({
          kind: 'docker',
          label: action.names.filter((n) => ours.includes(COMPOSE_SERVICES[n])).join(' and '),
          stop: { command, args: [...base, 'stop', ...ours], env: composeEnv, cwd: root },
        });
      }
      if (up.code !== 0) {
        failures.push(
          `\`${line.join(' ')}\` failed (exit code ${up.code}); its output is above. ` +
            'Start MySQL and RabbitMQ yourself, or set MYSQL_URL / RABBITMQ_URL to servers you have.',
        );
        continue;
      }
      for (const name of action.names) {
        const url = settings.urls[name] ?? action.urls[name];
        const result = await waitUntilAnswering(name, url, deadline, probes);
        if (!result.ok) {
          failures.push(
            `${name} (Docker Compose service ${COMPOSE_SERVICES[name]}) did not answer at ` +
              `${displayUrl(url)} within ${seconds} s: ${result.detail}. ` +
              `\`${action.compose.join(' ')} logs ${COMPOSE_SERVICES[name]}\` shows why.`,
          );
          continue;
        }
        if (settings.urls[name]) urls[name] = url;
        const how = ours.includes(COMPOSE_SERVICES[name])
          ? `Started ${name} (Docker Compose service ${COMPOSE_SERVICES[name]}) — ${STILL_RUNNING}`
          : `${name} (Docker Compose service ${COMPOSE_SERVICES[name]}) was already running; npm start leaves it running`;
        say(`${how}; it answers at ${displayUrl(url)} (${result.detail})`);
      }
      continue;
    }
    const childEnv = (extra = {}) => ({ ...env, ...extra });
    if (action.precheck) {
      const check = await run(action.precheck.command, action.precheck.args, {
        env: childEnv(),
        timeoutMs: 30_000,
      });
      if (check.code === 0) {
        failures.push(
          `${action.label} already runs on this machine but does not answer at ${displayUrl(action.url)}: ` +
            'is that its port? npm start neither starts another nor stops it.',
        );
        continue;
      }
    }
    say(`Starting ${action.label} (installed server): ${shellLine(action.start)}`);
    let code = 0;
    if (action.start.detached) {
      // mysqld_safe stays in the foreground: detach it, npm start only waits for the port.
      const child = spawn(action.start.command, action.start.args, {
        env: childEnv(action.start.env),
        detached: true,
        stdio: 'ignore',
      });
      child.once('error', () => {});
      child.unref();
    } else {
      ({ code } = await run(action.start.command, action.start.args, {
        env: childEnv(action.start.env),
        timeoutMs: 60_000,
      }));
    }
    if (code !== 0 && code === action.start.alreadyRunningCode) {
      failures.push(
        `${action.label} already runs on this machine but does not answer at ${displayUrl(action.url)}: ` +
          'is that its port? npm start neither starts another nor stops it.',
      );
      continue;
    }
    if (code !== 0) {
      failures.push(`\`${shellLine(action.start)}\` failed (exit code ${code}).`);
      continue;
    }
    started.push({
      kind: 'installed',
      label: action.label,
      stop: { ...action.stop, env: childEnv(action.stop.env) },
    });
    const result = await waitUntilAnswering(action.name, action.url, deadline, probes);
    if (!result.ok) {
      failures.push(
        `${action.label} was started but did not answer at ${displayUrl(action.url)} within ${seconds} s: ` +
          `${result.detail}. Its log (journalctl, /var/log/mysql or /var/log/rabbitmq) shows why.`,
      );
      continue;
    }
    say(
      `Started ${action.label} (installed server) — ${STILL_RUNNING}; it answers at ${displayUrl(action.url)}`,
    );
  }
  return { started, urls, failures };
}

/** Stops what startBackingServers started (the last started first), nothing else. */
export async function stopBackingServers(started, { say, fail }) {
  for (const server of [...started].reverse()) {
    say(
      `Stopping ${server.label} (started by npm start): ${server.stop.command} ${server.stop.args.join(' ')}`,
    );
    const result = await run(server.stop.command, server.stop.args, {
      env: server.stop.env,
      cwd: server.stop.cwd,
      timeoutMs: 120_000,
    });
    if (result.code !== 0) {
      fail(`Could not stop ${server.label} (exit code ${result.code}): ${result.output.trim()}`);
    }
  }
}

/** What a second Ctrl+C leaves behind, as lines to print. */
export function leftRunning(started) {
  return started.map(
    (s) =>
      `${s.label} is still running (started by npm start); stop it with: ${s.stop.command} ${s.stop.args.join(' ')}`,
  );
}
