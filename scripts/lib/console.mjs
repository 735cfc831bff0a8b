// Terminal output shared by the start and test scripts: colours only on a terminal (or FORCE_COLOR),
// never when NO_COLOR is set.
const enabled =
  !process.env.NO_COLOR && (Boolean(process.env.FORCE_COLOR) || Boolean(process.stdout.isTTY));

const code = (open) => (text) => (enabled ? `\x1b[${open}m${text}\x1b[0m` : String(text));

export const color = {
  enabled,
  bold: code('1'),
  dim: code('2'),
  red: code('31'),
  green: code('32'),
  yellow: code('33'),
  blue: code('34'),
  magenta: code('35'),
  cyan: code('36'),
  gray: code('90'),
};

/** A line from the script itself (not from a service), marked so it stands out among service logs. */
export function say(message) {
  process.stdout.write(`${color.bold('▸')} ${message}\n`);
}

export function warn(message) {
  process.stdout.write(`${color.yellow('!')} ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`${color.red('✗')} ${message}\n`);
}

/** Node ≥ 20.19 is what the services and tools need; say so before anything cryptic fails. */
export function requireNode(minimum = [20, 19]) {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = minimum;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return;
  fail(
    `Node.js ${needMajor}.${needMinor} or newer is required; this is ${process.versions.node}. ` +
      'Install a current LTS from https://nodejs.org (or `nvm install 24`).',
  );
  process.exit(1);
}
