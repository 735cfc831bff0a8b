// Renders the services' pino JSON lines for people: time, level, message, request id, error.
// Anything that is not a JSON object (a stack trace, a tsx error) is passed through untouched.
import { color } from './console.mjs';

const LEVELS = {
  10: ['TRACE', color.gray],
  20: ['DEBUG', color.gray],
  30: ['INFO ', (text) => color.green(text)],
  40: ['WARN ', color.yellow],
  50: ['ERROR', color.red],
  60: ['FATAL', (text) => color.bold(color.red(text))],
};

// Fields already shown (or noise for a person at a terminal).
const SHOWN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'service',
  'msg',
  'requestId',
  'reqId',
  'err',
  'error',
  'req',
  'res',
  'responseTime',
  'method',
  'url',
  'status',
  'ms',
  'client',
]);
const MAX_EXTRAS = 6;

function clock(time) {
  const date = new Date(typeof time === 'number' || typeof time === 'string' ? time : Date.now());
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function describeHttp(entry) {
  // A request's one line (service-kit's OneLinePerRequest): flat fields.
  if (typeof entry.method === 'string' && typeof entry.status === 'number') {
    return `${entry.method} ${entry.url ?? ''} ${entry.status} ${Number(entry.ms ?? 0).toFixed(1)} ms`;
  }
  const parts = [];
  if (entry.req && typeof entry.req === 'object' && entry.req.method) {
    parts.push(`${entry.req.method} ${entry.req.url ?? ''}`.trim());
  }
  if (entry.res && typeof entry.res === 'object' && entry.res.statusCode !== undefined) {
    parts.push(String(entry.res.statusCode));
  }
  if (typeof entry.responseTime === 'number') parts.push(`${entry.responseTime.toFixed(1)} ms`);
  return parts.join(' ');
}

function describeError(entry) {
  const error = entry.err ?? entry.error;
  if (!error) return '';
  if (typeof error !== 'object') return String(error);
  const name = error.type && error.type !== 'Error' ? `${error.type}: ` : '';
  return `${name}${error.message ?? JSON.stringify(error)}`;
}

function describeExtras(entry) {
  const extras = [];
  for (const [key, value] of Object.entries(entry)) {
    if (SHOWN.has(key) || value === null || typeof value === 'object') continue;
    extras.push(
      `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : value}`,
    );
    if (extras.length === MAX_EXTRAS) break;
  }
  return extras.join(' ');
}

/** One log line, readable: `12:00:01.234 INFO  message  GET /x 200  key=value  [request-id]  error`. */
export function formatLogLine(line) {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(trimmed);
  } catch {
    return line;
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return line;
  const [levelName, paint] = LEVELS[entry.level] ?? [String(entry.level ?? '').padEnd(5), String];
  const requestId = entry.requestId ?? entry.reqId;
  const error = describeError(entry);
  return [
    color.gray(clock(entry.time)),
    paint(levelName),
    entry.msg ?? '',
    describeHttp(entry),
    describeExtras(entry),
    requestId ? color.gray(`[${requestId}]`) : '',
    error ? color.red(error) : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

const SERVICE_COLORS = [color.cyan, color.magenta, color.yellow, color.blue, color.green];

/** A function that puts `label │ ` (coloured, padded to `width`) before each line of a service. */
export function prefixer(label, index, width) {
  const paint = SERVICE_COLORS[index % SERVICE_COLORS.length];
  const prefix = `${paint(label.padEnd(width))} ${color.gray('│')} `;
  return (line) => `${prefix}${line}`;
}
