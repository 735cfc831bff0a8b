import { Value } from 'typebox/value';
import type { Static, TObject, TSchema } from 'typebox';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** The annotation key under which a variable's schema carries its {@link ProductionRule}. */
export const PRODUCTION_RULE = 'x-production';

/**
 * What `NODE_ENV=production` requires of a variable beyond its schema. Set through the helpers
 * (`secret()`, `credentialsUrl()`, `developmentOnly()`, `explicitInProduction()`), never by hand.
 */
export interface ProductionRule {
  /** Set in the environment (a default is a development value), not to the default, this long. */
  secret?: { minLength: number };
  /** A URL that carries a password, with a user other than these well-known accounts. */
  credentials?: { refuseUsers: string[] };
  /** A flag for development only (the demo seed): true is refused. */
  developmentOnly?: true;
  /** Set in the environment: the default suits a developer's machine only. */
  explicit?: true;
}

/** `NODE_ENV=production`: the refusals of {@link ProductionRule} apply. */
export function isProduction(env: Env = process.env): boolean {
  return env.NODE_ENV === 'production';
}

function given(env: Env, key: string): string | undefined {
  const value = env[key];
  return value === undefined || value === '' ? undefined : value;
}

function read<T extends TObject>(schema: T, env: Env): { config: unknown; problems: string[] } {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = given(env, key);
    if (value !== undefined) raw[key] = value;
  }
  const config = Value.Convert(schema, Value.Default(schema, raw));
  if (Value.Check(schema, config)) return { config, problems: [] };
  const problems = Value.Errors(schema, config).map((error) => {
    const name =
      error.keyword === 'required'
        ? error.params.requiredProperties.join(', ')
        : error.instancePath.replace(/^\//, '');
    return `${name}: ${error.message}`;
  });
  return { config, problems };
}

/**
 * Reads configuration from the environment (the only place a service does so), applying defaults
 * and converting strings to numbers and booleans; fails fast naming each bad variable.
 */
export function loadConfig<T extends TObject>(schema: T, env: Env = process.env): Static<T> {
  const { config, problems } = read(schema, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Static<T>;
}

function ruleOf(property: TSchema): ProductionRule | undefined {
  return (property as { [PRODUCTION_RULE]?: ProductionRule })[PRODUCTION_RULE];
}

const CREDENTIALS_FORM = 'scheme://user:password@host';

/** Why `url` may not serve in production (never quoting it: it holds a password). */
function credentialsProblem(url: string | undefined, refuseUsers: string[]): string | undefined {
  if (url === undefined) return `must be set in production (${CREDENTIALS_FORM})`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const user = decodeURIComponent(parsed.username);
  if (refuseUsers.includes(user)) {
    return `the well-known account "${user}" is refused in production; use an account of its own`;
  }
  if (parsed.password === '') return `must carry a password in production (${CREDENTIALS_FORM})`;
  return undefined;
}

function secretProblem(minLength: number, property: TSchema, set: string | undefined) {
  if (set === undefined) {
    return `must be set in production (a secret of at least ${minLength} characters)`;
  }
  if ('default' in property && set === property.default) {
    return 'is the development default; production needs a secret of its own';
  }
  if (set.length < minLength) return `must be at least ${minLength} characters in production`;
  return undefined;
}

/** `set` is the variable as given (undefined when unset), `value` after defaults and conversion. */
function ruleProblem(
  rule: ProductionRule,
  property: TSchema,
  set: string | undefined,
  value: unknown,
): string | undefined {
  if (rule.secret) return secretProblem(rule.secret.minLength, property, set);
  if (rule.credentials) return credentialsProblem(set, rule.credentials.refuseUsers);
  if (rule.explicit && set === undefined) {
    return 'must be set in production (its default is for development)';
  }
  if (rule.developmentOnly && value === true) {
    return 'is for development only and refused in production';
  }
  return undefined;
}

/**
 * The refusals of production mode: each variable whose schema carries a {@link ProductionRule}
 * that `env` breaks, as `NAME: why` (never the value). Empty outside production.
 */
export function productionProblems(schema: TObject, env: Env = process.env): string[] {
  return refusals(schema, env, read(schema, env).config);
}

function refusals(schema: TObject, env: Env, config: unknown): string[] {
  if (!isProduction(env)) return [];
  const values = (config ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, property] of Object.entries(schema.properties)) {
    const rule = ruleOf(property);
    const problem = rule && ruleProblem(rule, property, given(env, key), values[key]);
    if (problem) problems.push(`${key}: ${problem}`);
  }
  return problems;
}

/**
 * A service's `loadConfig(env = process.env)`: the schema's variables, the production refusals
 * when `NODE_ENV=production`, then `check` for rules a schema cannot say (it returns the
 * problems, each naming its variable). All problems are reported at once.
 */
export function configLoader<T extends TObject>(
  schema: T,
  check?: (config: Static<T>, env: Env) => string[],
): (env?: Env) => Static<T> {
  return (env = process.env) => {
    const { config, problems } = read(schema, env);
    const refused = refusals(schema, env, config);
    if (problems.length > 0) throw new ConfigError([...problems, ...refused]);
    // The refusals leave the values well-typed, so `check` can still add its own.
    const all = [...refused, ...(check?.(config as Static<T>, env) ?? [])];
    if (all.length > 0) throw new ConfigError(all);
    return config as Static<T>;
  };
}
