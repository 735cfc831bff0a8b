/** What Fastify's `register` itself accepts; they reach a plugin's options too. */
const REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers'];

/** Thrown when a plugin is registered with options it cannot work with; names the option. */
export class PluginOptionError extends Error {
  constructor(plugin: string, message: string) {
    super(`${plugin}: ${message}`);
    this.name = 'PluginOptionError';
  }
}

/** The options as a record, with unknown keys refused (a misspelt option would be ignored). */
export function checkKnownOptions(
  plugin: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new PluginOptionError(plugin, 'options must be an object');
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!known.includes(key) && !REGISTER_KEYS.includes(key)) {
      throw new PluginOptionError(plugin, `unknown option "${key}"`);
    }
  }
  return record;
}

export function checkOptionalString(plugin: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') {
    throw new PluginOptionError(plugin, `option "${name}" must be a string`);
  }
}

export function checkName(plugin: string, name: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PluginOptionError(plugin, `option "${name}" must be a non-empty string`);
  }
}
