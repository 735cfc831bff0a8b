import net from 'node:net';
import tls from 'node:tls';

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306';
export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

const AMQP_0_9_1_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** The URL as it may be printed: the password masked. */
export function displayUrl(raw) {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}

function endpoint(raw, defaultPort) {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: Number(url.port || defaultPort), secure: url.protocol === 'amqps:' };
}

/**
 * Opens a connection, optionally writes a greeting, and hands every received chunk to `decide`
 * until it returns a verdict ({ ok, detail }) or undefined for "need more bytes".
 */
function converse({ host, port, secure }, greeting, decide, timeoutMs) {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
      : net.connect({ host, port });
    const finish = (verdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    let connected = false;
    const timer = setTimeout(() => {
      const detail = connected
        ? `the port is open but gave no expected answer within ${timeoutMs} ms (is it the right server?)`
        : `could not connect within ${timeoutMs} ms`;
      finish({ ok: false, detail });
    }, timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      if (greeting) socket.write(greeting);
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const verdict = decide(received);
      if (verdict) finish(verdict);
    });
    socket.once('error', (error) =>
      // `closed`: nothing listens there, so a server may be started on that port.
      finish({ ok: false, detail: errorText(error), closed: isRefused(error) }),
    );
    socket.once('close', () =>
      finish({ ok: false, detail: 'the server closed the connection without answering' }),
    );
  });
}

// With several addresses (localhost: ::1 and 127.0.0.1) Node reports an AggregateError of each.
function isRefused(error) {
  if (error.code === 'ECONNREFUSED') return true;
  return Array.isArray(error.errors) && error.errors.every((e) => e.code === 'ECONNREFUSED');
}

function errorText(error) {
  if (error.message) return error.message;
  if (Array.isArray(error.errors)) return error.errors.map((e) => e.message).join('; ');
  return String(error.code ?? error);
}

/** A MySQL/MariaDB server speaks first: a handshake packet (protocol 10 + version) or an error. */
export function decideMysql(bytes) {
  if (bytes.length < 5) return undefined;
  const length = bytes.readUIntLE(0, 3);
  const payload = bytes.subarray(4, 4 + length);
  if (payload.length < Math.min(length, 2)) return undefined;
  if (payload[0] === 0x0a) {
    const end = payload.indexOf(0, 1);
    if (end === -1 && payload.length < length) return undefined;
    const version = payload.subarray(1, end === -1 ? undefined : end).toString('latin1');
    return { ok: true, detail: `server ${version}` };
  }
  if (payload[0] === 0xff) {
    if (payload.length < length) return undefined;
    const text = payload
      .subarray(3)
      .toString('utf8')
      .replace(/^#\w{5}/, '');
    return { ok: false, detail: `the server refused the connection: ${text}` };
  }
  return { ok: false, detail: 'something answers there, but it is not a MySQL server' };
}

/** After the AMQP 0-9-1 protocol header, RabbitMQ answers with a method frame (type 1). */
export function decideAmqp(bytes) {
  if (bytes.length < 1) return undefined;
  if (bytes[0] === 1) return { ok: true, detail: 'AMQP 0-9-1' };
  if (bytes.subarray(0, 4).toString('latin1') === 'AMQP') {
    return { ok: false, detail: 'the server speaks another AMQP version than 0-9-1' };
  }
  return { ok: false, detail: 'something answers there, but it is not an AMQP broker' };
}

export async function probeMysql(url, timeoutMs = 3000) {
  try {
    return await converse(endpoint(url, 3306), null, decideMysql, timeoutMs);
  } catch (error) {
    return { ok: false, invalid: true, detail: `it is not a valid URL (${error.message})` };
  }
}

export async function probeRabbitmq(url, timeoutMs = 3000) {
  try {
    const target = endpoint(url, url.startsWith('amqps:') ? 5671 : 5672);
    return await converse(target, AMQP_0_9_1_HEADER, decideAmqp, timeoutMs);
  } catch (error) {
    return { ok: false, invalid: true, detail: `it is not a valid URL (${error.message})` };
  }
}

const HOW_TO_START = {
  MySQL: [
    'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd   # MariaDB, as root',
    'sudo systemctl start mariadb                                               # MariaDB/MySQL with systemd',
    'docker compose up -d mysql   # then MYSQL_URL=mysql://root:marketplace@127.0.0.1:3306',
  ],
  RabbitMQ: [
    'rabbitmq-server -detached                                                 # installed locally',
    'sudo systemctl start rabbitmq-server                                      # with systemd',
    'docker compose up -d rabbitmq',
  ],
};

export const CHECKS = [
  { name: 'MySQL', variable: 'MYSQL_URL', example: DEFAULT_MYSQL_URL, probe: probeMysql },
  {
    name: 'RabbitMQ',
    variable: 'RABBITMQ_URL',
    example: DEFAULT_RABBITMQ_URL,
    probe: probeRabbitmq,
  },
];

/** The printable block for a server that does not answer; `notes` say why it was not started. */
export function describeFailure({ name, variable, example }, url, result, notes = []) {
  if (result.invalid) return `${variable}=${url}: ${result.detail}; expected e.g. ${example}.`;
  return [
    `${name} is not reachable at ${displayUrl(url)} (${variable}): ${result.detail}.`,
    ...notes.map((note) => `  ${note}`),
    `  Start it with one of:`,
    ...HOW_TO_START[name].map((line) => `    ${line}`),
    `  or set ${variable} to a ${name} server you have.`,
  ].join('\n');
}

/** Probes MySQL and RabbitMQ at once: each check with its URL and the probe's verdict. */
export function probeBackingServices({ mysqlUrl, rabbitmqUrl }, timeoutMs = 3000) {
  const urls = { MySQL: mysqlUrl, RabbitMQ: rabbitmqUrl };
  return Promise.all(
    CHECKS.map(async (check) => ({
      check,
      url: urls[check.name],
      result: await check.probe(urls[check.name], timeoutMs),
    })),
  );
}

/**
 * Checks MySQL and RabbitMQ at once. Returns what answered, and each failure as a printable block
 * naming the URL, the reason and how to start the missing server.
 */
export async function checkBackingServices({ mysqlUrl, rabbitmqUrl }) {
  const results = await probeBackingServices({ mysqlUrl, rabbitmqUrl });
  return {
    ok: results
      .filter(({ result }) => result.ok)
      .map(({ check, url, result }) => ({
        name: check.name,
        url: displayUrl(url),
        detail: result.detail,
      })),
    failures: results
      .filter(({ result }) => !result.ok)
      .map(({ check, url, result }) => describeFailure(check, url, result)),
  };
}
