import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

/** Facts about the repository that the repository-level tests check against each other. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const APP_SERVICES = [
  { name: 'gateway', port: 8080 },
  { name: 'user-service', port: 8081 },
  { name: 'product-service', port: 8082 },
  { name: 'order-service', port: 8083 },
  { name: 'notification-service', port: 8084 },
] as const;

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The workspace folders named by the root package.json, with `libs/*` expanded. */
export function workspaces(): string[] {
  const manifest = JSON.parse(readText('package.json')) as { workspaces: string[] };
  return manifest.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter(
        (entry) =>
          entry.isDirectory() && existsSync(join(ROOT, parent, entry.name, 'package.json')),
      )
      .map((entry) => `${parent}/${entry.name}`);
  });
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

export function readCompose(): { services: Record<string, ComposeService> } {
  // Merge keys (`<<: *anchor`) are YAML 1.1, which Compose supports.
  return parse(readText('docker-compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
}

export interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's instructions, continuation lines joined and comments dropped. */
export function readDockerfile(path: string): Instruction[] {
  const joined = readText(path)
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/**
 * The instructions one build of a Dockerfile runs: those of `target` and of the stages it is
 * built on (`FROM <stage>` and `COPY --from=<stage>`), with `ARG`s replaced by `args`.
 */
export function dockerBuild(
  instructions: Instruction[],
  target: string,
  args: Record<string, string>,
): Instruction[] {
  const stages = new Map<string, Instruction[]>();
  let current: Instruction[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      current = [];
      const name = /\bAS\s+(\S+)$/i.exec(instruction.args)?.[1];
      if (name) stages.set(name, current);
    }
    current.push(instruction);
  }
  const expand = (text: string): string =>
    text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const value = args[braced ?? bare ?? ''];
      return value ?? whole;
    });
  const seen = new Set<string>();
  const collect = (stage: string): Instruction[] => {
    const own = stages.get(stage);
    if (!own) throw new Error(`the Dockerfile has no stage ${stage}`);
    if (seen.has(stage)) return [];
    seen.add(stage);
    const parents = own.flatMap((i) => {
      const from = i.keyword === 'FROM' ? i.args.split(/\s+/)[0] : /--from=(\S+)/.exec(i.args)?.[1];
      return from && stages.has(from) ? collect(from) : [];
    });
    return [...parents, ...own.map((i) => ({ keyword: i.keyword, args: expand(i.args) }))];
  };
  return collect(target);
}

/** The sources of each `COPY` from the build context (not from another stage). */
export function copySources(instructions: Instruction[]): string[] {
  return instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => i.args.split(/\s+/))
    .filter((words) => !words.some((word) => word.startsWith('--from=')))
    .flatMap((words) => words.filter((word) => !word.startsWith('--')).slice(0, -1));
}

/** True when a .dockerignore pattern list leaves `path` (relative to the context) out. */
export function dockerIgnores(patterns: string[], path: string): boolean {
  const toRegExp = (pattern: string): RegExp =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '%ANY%')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/%ANY%/g, '(?:.*/)?')}$`,
    );
  const parts = path.replace(/^\.\/|\/$/g, '').split('/');
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const regExp = toRegExp(negated ? raw.slice(1) : raw);
    // A pattern that matches a parent folder leaves out everything inside it.
    if (parts.some((_, i) => regExp.test(parts.slice(0, i + 1).join('/')))) ignored = !negated;
  }
  return ignored;
}

export function dockerignorePatterns(): string[] {
  return readText('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

export interface EnvProperty {
  name: string;
  required: boolean;
  default?: unknown;
  /** What production requires of it (service-kit's `x-production` annotation), if anything. */
  production?: { secret?: unknown; credentials?: unknown; explicit?: unknown };
}

interface ObjectSchema {
  type: 'object';
  properties: Record<string, { default?: unknown; 'x-production'?: EnvProperty['production'] }>;
  required?: string[];
}

function isEnvSchema(value: unknown): value is ObjectSchema {
  if (typeof value !== 'object' || value === null) return false;
  const schema = value as Partial<ObjectSchema>;
  return (
    schema.type === 'object' &&
    typeof schema.properties === 'object' &&
    Object.keys(schema.properties).some((key) => /^[A-Z][A-Z0-9_]*$/.test(key))
  );
}

/** The environment variables a service reads: the properties of the schema its config.ts exports. */
export async function serviceEnv(service: string): Promise<EnvProperty[]> {
  const url = pathToFileURL(join(ROOT, service, 'src', 'config.ts')).href;
  const module = (await import(url)) as Record<string, unknown>;
  const schema = Object.values(module).find(isEnvSchema);
  if (!schema) throw new Error(`${service}/src/config.ts exports no TypeBox object schema`);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    required: (schema.required ?? []).includes(name) && !('default' in property),
    default: property.default,
    production: property['x-production'],
  }));
}
