import { Value } from 'typebox/value';
import type { Static, TObject } from 'typebox';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads configuration from the environment (the only place a service does so), applying defaults
 * and converting strings to numbers and booleans; fails fast naming each bad variable.
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  if (Value.Check(schema, converted)) return converted;
  const problems = Value.Errors(schema, converted).map((error) => {
    const name =
      error.keyword === 'required'
        ? error.params.requiredProperties.join(', ')
        : error.instancePath.replace(/^\//, '');
    return `${name}: ${error.message}`;
  });
  throw new ConfigError(problems);
}

/**
 * A service's `loadConfig(env = process.env)`: the schema's variables, then `check` for rules a
 * schema cannot say (it returns the problems, each naming its variable).
 */
export function configLoader<T extends TObject>(
  schema: T,
  check?: (config: Static<T>) => string[],
): (env?: Record<string, string | undefined>) => Static<T> {
  return (env = process.env) => {
    const config = loadConfig(schema, env);
    const problems = check?.(config) ?? [];
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  };
}
