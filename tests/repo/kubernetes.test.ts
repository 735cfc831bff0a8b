import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2';
import {
  Ingress,
  NetworkPolicy,
  type IIngress,
  type INetworkPolicy,
} from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, type IConfigMap, type IService } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import {
  APP_SERVICES,
  ROOT,
  dockerBuild,
  readCompose,
  readDockerfile,
  serviceEnv,
} from './repo.ts';

// The Kustomize manifests under deploy/k8s, rendered as `kubectl apply -k` would (offline), held
// against the schemas of the Kubernetes API and against each service's configuration schema, so
// that the manifests cannot drift from the code.

const K8S = join(ROOT, 'deploy', 'k8s');
const OVERLAYS = ['development', 'production'] as const;
type Overlay = (typeof OVERLAYS)[number];
type ServiceName = (typeof APP_SERVICES)[number]['name'];
type Env = Record<string, string | undefined>;

const SECRET = 'marketplace-secrets';
/** Read by the runtime rather than a config schema: configLoader's production switch, Node. */
const RUNTIME_VARIABLES = new Set(['NODE_ENV', 'NODE_OPTIONS']);
/** The image's user (the Dockerfile's `USER node`): uid 1000 in the official node images. */
const IMAGE_UID = 1000;
/** Where the ingress controller runs: the only caller the gateway's NetworkPolicy lets in. */
const INGRESS_NAMESPACE = 'ingress-nginx';

/** The objects kinds the overlays may render, each with its schema from the Kubernetes OpenAPI. */
const SCHEMAS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const run = promisify(execFile);

/** `kubectl kustomize <dir>`: Kustomize built into kubectl, reading local files only. */
async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: NodeJS.ErrnoException) => {
    // Said plainly: on a machine without kubectl this is not a manifest's fault.
    if (error.code === 'ENOENT')
      throw new Error('kubectl (with Kustomize 4.1 or later) is not on the PATH');
    throw error;
  });
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors.join('; ')}`);
    return doc.toJS() as K8sObject;
  });
}

/** The schema problem of one object, or undefined; an unknown kind is a problem too. */
function schemaProblem(object: K8sObject): string | undefined {
  const Model = SCHEMAS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** secrets.example.env's keys, each placeholder replaced by a value of its own for the test. */
function exampleSecret(): Record<string, string> {
  const entries = readFileSync(join(K8S, 'secrets.example.env'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(
    entries.map(([key, value]) => [
      key,
      value.replaceAll('REPLACE_ME', () => randomBytes(24).toString('hex')),
    ]),
  );
}

/** The environment the Dockerfile gives a service's image (compose's target and build args). */
function imageEnv(service: ServiceName): Env {
  const build = readCompose().services[service]?.build;
  if (!build?.target) throw new Error(`docker-compose.yml builds no image for ${service}`);
  const env: Env = {};
  for (const { keyword, args } of dockerBuild(
    readDockerfile('Dockerfile'),
    build.target,
    build.args ?? {},
  )) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const [key = '', ...value] = pair.split('=');
      env[key] = value.join('=');
    }
  }
  return env;
}

async function loaderOf(service: ServiceName): Promise<(env: Env) => Record<string, unknown>> {
  const url = pathToFileURL(join(ROOT, service, 'src', 'config.ts')).href;
  return ((await import(url)) as { loadConfig: (env: Env) => Record<string, unknown> }).loadConfig;
}

/** What the test knows of one rendered overlay. */
class Rendered {
  constructor(
    readonly objects: K8sObject[],
    private readonly secret: Record<string, string>,
  ) {}

  all<T>(kind: string): (T & K8sObject)[] {
    return this.objects.filter((o) => o.kind === kind) as (T & K8sObject)[];
  }

  deployment(name: string): IDeployment & K8sObject {
    const found = this.all<IDeployment>('Deployment').find((d) => d.metadata.name === name);
    if (!found) throw new Error(`no Deployment ${name}`);
    return found;
  }

  configMap(name: string): Record<string, string> {
    const found = this.all<IConfigMap>('ConfigMap').find((c) => c.metadata.name === name);
    if (!found) throw new Error(`no ConfigMap ${name} (referenced but not rendered)`);
    return found.data ?? {};
  }

  /** Each variable the manifests set in the container, with where it comes from. */
  variables(container: IContainer): Map<string, { value: string; from: string }> {
    const set = new Map<string, { value: string; from: string }>();
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) {
        const name = source.configMapRef.name ?? '';
        for (const [key, value] of Object.entries(this.configMap(name)))
          set.set(`${source.prefix ?? ''}${key}`, { value, from: `ConfigMap ${name}` });
      } else if (source.secretRef) {
        // A whole Secret: every key of the documented one becomes a variable.
        expect(source.secretRef.name, 'envFrom secretRef').toBe(SECRET);
        for (const [key, value] of Object.entries(this.secret))
          set.set(`${source.prefix ?? ''}${key}`, { value, from: `Secret ${SECRET}` });
      }
    }
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom;
      if (variable.value !== undefined) {
        set.set(variable.name, { value: variable.value, from: 'the Deployment' });
      } else if (ref?.secretKeyRef) {
        const { name, key } = ref.secretKeyRef;
        expect(name, `${variable.name}'s Secret`).toBe(SECRET);
        const value = this.secret[key];
        expect(
          value,
          `${variable.name}: secrets.example.env documents no key ${key}`,
        ).toBeDefined();
        set.set(variable.name, { value: value ?? '', from: `Secret ${SECRET} key ${key}` });
      } else if (ref?.configMapKeyRef) {
        const { name = '', key } = ref.configMapKeyRef;
        const value = this.configMap(name)[key];
        expect(value, `${variable.name}: ConfigMap ${name} has no key ${key}`).toBeDefined();
        set.set(variable.name, { value: value ?? '', from: `ConfigMap ${name}` });
      } else {
        throw new Error(`${variable.name}: a source this test does not follow`);
      }
    }
    return set;
  }
}

/** The one container of a Deployment named after its service. */
function containerOf(deployment: IDeployment & K8sObject): IContainer {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  expect(containers.map((c) => c.name)).toEqual([deployment.metadata.name]);
  return containers[0] as IContainer;
}

/** A probe's or policy's port, a number or a container port's name, as a number. */
function portNumber(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function probePath(probe: IProbe | undefined): string | undefined {
  return probe?.httpGet?.path;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

type Target = Overlay | 'base';
const rendered = new Map<Target, Rendered>();
const loaders = new Map<string, (env: Env) => Record<string, unknown>>();

beforeAll(async () => {
  for (const { name } of APP_SERVICES) loaders.set(name, await loaderOf(name));
});

const get = (target: Target): Rendered => {
  const found = rendered.get(target);
  if (!found) throw new Error(`${target} was not rendered`);
  return found;
};

interface Workload {
  deployment: IDeployment & K8sObject;
  container: IContainer;
  /** The variables the manifests set, with their sources. */
  set: Map<string, { value: string; from: string }>;
  /** What the process sees: the image's environment, then the manifests'. */
  env: Env;
}

const workloads = new Map<string, Workload>();
function workload(target: Target, name: ServiceName): Workload {
  const key = `${target}/${name}`;
  const cached = workloads.get(key);
  if (cached) return cached;
  const r = get(target);
  const deployment = r.deployment(name);
  const container = containerOf(deployment);
  const set = r.variables(container);
  const env: Env = { ...imageEnv(name) };
  for (const [variable, { value }] of set) env[variable] = value;
  const found = { deployment, container, set, env };
  workloads.set(key, found);
  return found;
}

/** The service's configuration as its own loader reads it: schema, production refusals, checks. */
function configOf(target: Target, name: ServiceName): Record<string, unknown> {
  const load = loaders.get(name);
  if (!load) throw new Error(`no loader for ${name}`);
  return load(workload(target, name).env);
}

describe.each(['base', ...OVERLAYS] as const)('deploy/k8s %s', (overlay: Target) => {
  beforeAll(async () => {
    // Each on its own, so a broken overlay fails its own tests only.
    const dir = overlay === 'base' ? join(K8S, 'base') : join(K8S, 'overlays', overlay);
    rendered.set(overlay, new Rendered(await render(dir), exampleSecret()));
  }, 30_000);

  it('renders objects that all pass the Kubernetes API schemas', () => {
    const { objects } = get(overlay);
    expect(objects.length).toBeGreaterThan(0);
    const problems = objects
      .map((o) => [`${o.kind}/${o.metadata.name}`, schemaProblem(o)] as const)
      .filter(([, problem]) => problem !== undefined);
    expect(problems).toEqual([]);
  });

  it('renders no Secret and no credentials in a ConfigMap (Secrets are created by hand)', () => {
    const { objects } = get(overlay);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
    for (const map of get(overlay).all<IConfigMap>('ConfigMap')) {
      for (const [key, value] of Object.entries(map.data ?? {}))
        expect(value, `${map.metadata.name} ${key}`).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]*@/);
    }
  });

  it('has a Deployment and a Service for each service, and nothing else runs', () => {
    const r = get(overlay);
    const names = APP_SERVICES.map((s) => s.name).sort();
    expect(
      r
        .all<IDeployment>('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(names);
    expect(
      r
        .all<IService>('Service')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(names);
    const workloads = ['StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'ReplicaSet'];
    expect(r.objects.filter((o) => workloads.includes(o.kind))).toEqual([]);
  });

  describe.each(APP_SERVICES)('$name', ({ name }) => {
    let container: IContainer;
    let deployment: IDeployment & K8sObject;
    let set: Map<string, { value: string; from: string }>;
    let env: Env;
    let config: Record<string, unknown>;

    beforeAll(() => {
      ({ deployment, container, set, env } = workload(overlay, name));
      try {
        config = configOf(overlay, name);
      } catch {
        // Reported by its own test below; the others then fail on the missing values.
        config = {};
      }
    });

    it('runs the image built for it, pinned in production', () => {
      const [repository, tag] = (container.image ?? '').split(':');
      expect(repository).toBe(`marketplace/${name}`);
      expect(tag).toBeTruthy();
      if (overlay === 'production') expect(tag).not.toBe('latest');
    });

    it('sets only variables its configuration reads', async () => {
      const read = new Set((await serviceEnv(name)).map((p) => p.name));
      const unread = [...set.keys()].filter((key) => !read.has(key) && !RUNTIME_VARIABLES.has(key));
      expect(unread).toEqual([]);
    });

    it('gives every variable its configuration requires, in production mode outside development', () => {
      expect(() => configOf(overlay, name)).not.toThrow();
      if (overlay === 'development') expect(env.NODE_ENV).toBe('development');
      else expect(env.NODE_ENV).toBe('production');
      // A production overlay reads every secret from the Secret, never from a ConfigMap.
      for (const key of [
        'MYSQL_URL',
        'RABBITMQ_URL',
        'INTERNAL_TOKEN',
        'SMTP_URL',
        'JWT_SIGNING_KEY',
      ])
        if (set.has(key)) expect(set.get(key)?.from, key).toMatch(/^Secret /);
    });

    it('listens on the ports it declares, on an address the kubelet reaches', () => {
      const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
      const expected = new Map<string | undefined, unknown>([['http', config.PORT]]);
      if (name === 'gateway') expected.set('ops', config.OPS_PORT);
      expect(ports).toEqual(expected);
      expect(['0.0.0.0', '::']).toContain(config.HOST);
      if (name === 'gateway') expect(['0.0.0.0', '::']).toContain(config.OPS_HOST);
    });

    it('is probed on /ready and /health where the service answers them', () => {
      // The gateway answers /ready and /metrics on its ops listener only, /health on both
      // (gateway/src/edge/ops-listener.ts); every other service on its one port.
      const opsPort = name === 'gateway' ? config.OPS_PORT : config.PORT;
      const { readinessProbe, livenessProbe, startupProbe } = container;
      expect(probePath(readinessProbe)).toBe('/ready');
      expect(portNumber(container, readinessProbe?.httpGet?.port)).toBe(opsPort);
      expect(probePath(livenessProbe)).toBe('/health');
      expect([config.PORT, opsPort]).toContain(portNumber(container, livenessProbe?.httpGet?.port));
      if (startupProbe) {
        expect(probePath(startupProbe)).toBe('/health');
        expect([config.PORT, opsPort]).toContain(portNumber(container, startupProbe.httpGet?.port));
      }
      const annotations = deployment.spec?.template.metadata?.annotations ?? {};
      if (annotations['prometheus.io/scrape'] === 'true') {
        expect(Number(annotations['prometheus.io/port'])).toBe(opsPort);
        expect(annotations['prometheus.io/path']).toBe('/metrics');
      }
    });

    it('runs as the image’s non-root user, read-only, without privileges', () => {
      const pod = deployment.spec?.template.spec;
      const own = container.securityContext;
      const podContext = pod?.securityContext;
      expect(own?.runAsNonRoot ?? podContext?.runAsNonRoot).toBe(true);
      expect(own?.runAsUser ?? podContext?.runAsUser).toBe(IMAGE_UID);
      expect(own?.readOnlyRootFilesystem).toBe(true);
      expect(own?.allowPrivilegeEscalation).toBe(false);
      expect(own?.privileged ?? false).toBe(false);
      expect(own?.capabilities?.drop).toContain('ALL');
      expect(own?.capabilities?.add ?? []).toEqual([]);
      expect((own?.seccompProfile ?? podContext?.seccompProfile)?.type).toBe('RuntimeDefault');
      expect(pod?.automountServiceAccountToken).toBe(false);
    });

    it('requests and limits CPU and memory', () => {
      const { requests, limits } = container.resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        expect(requests?.[resource], `requests.${resource}`).toBeDefined();
        expect(limits?.[resource], `limits.${resource}`).toBeDefined();
      }
    });

    it('finds each file its configuration names in a mounted volume', () => {
      const mounts = container.volumeMounts ?? [];
      const volumes = deployment.spec?.template.spec?.volumes ?? [];
      for (const mount of mounts) expect(volumes.map((v) => v.name)).toContain(mount.name);
      for (const [key, { value }] of set) {
        if (!key.endsWith('_FILE')) continue;
        const mount = mounts.find((m) => value.startsWith(`${m.mountPath}/`));
        expect(mount, `${key}=${value} is in no mounted volume`).toBeDefined();
        const volume = volumes.find((v) => v.name === mount?.name);
        const inside = posix.relative(mount?.mountPath ?? '', value);
        const items = volume?.secret?.items ?? volume?.configMap?.items;
        if (items)
          expect(
            items.map((i) => i.path),
            key,
          ).toContain(inside);
        if (volume?.secret) {
          expect(volume.secret.secretName).toMatch(/^marketplace-/);
          // Readable by the pod's group (fsGroup) and never by others.
          expect((volume.secret.defaultMode ?? 0o644) & 0o007, key).toBe(0);
          expect(deployment.spec?.template.spec?.securityContext?.fsGroup, key).toBe(IMAGE_UID);
        }
      }
    });

    it('is scaled by a CPU HorizontalPodAutoscaler and kept up by a PodDisruptionBudget', () => {
      const r = get(overlay);
      const hpas = r
        .all<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler')
        .filter((h) => h.spec?.scaleTargetRef.name === name);
      expect(hpas).toHaveLength(1);
      const spec = hpas[0]?.spec;
      expect(spec?.scaleTargetRef.kind).toBe('Deployment');
      expect(spec?.metrics?.map((m) => m.resource?.name)).toContain('cpu');
      expect(spec?.minReplicas ?? 1).toBeGreaterThanOrEqual(1);
      expect(spec?.maxReplicas ?? 0).toBeGreaterThanOrEqual(spec?.minReplicas ?? 1);
      if (overlay === 'production') expect(spec?.minReplicas).toBeGreaterThanOrEqual(2);
      // The autoscaler owns the count: a replicas field would reset it on every apply.
      expect(deployment.spec?.replicas).toBeUndefined();
      const labels = deployment.spec?.template.metadata?.labels ?? {};
      const pdbs = r
        .all<IPodDisruptionBudget>('PodDisruptionBudget')
        .filter((p) => matches(p.spec?.selector?.matchLabels, labels));
      expect(pdbs).toHaveLength(1);
    });

    it('is reached through a Service on its configured port', () => {
      const service = get(overlay)
        .all<IService>('Service')
        .find((s) => s.metadata.name === name);
      const labels = deployment.spec?.template.metadata?.labels ?? {};
      expect(matches(service?.spec?.selector, labels)).toBe(true);
      expect(matches(deployment.spec?.selector.matchLabels, labels)).toBe(true);
      expect(service?.spec?.ports?.map((p) => p.port)).toEqual([config.PORT]);
      const target = service?.spec?.ports?.[0]?.targetPort;
      expect(portNumber(container, target)).toBe(config.PORT);
    });
  });

  /** Where each service's configuration sends HTTP: `<Service>:<port>` URLs, resolved. */
  function callers(): Map<ServiceName, Set<string>> {
    const r = get(overlay);
    const calledBy = new Map<ServiceName, Set<string>>(
      APP_SERVICES.map((s) => [s.name, new Set<string>()]),
    );
    for (const { name } of APP_SERVICES) {
      for (const [key, value] of Object.entries(configOf(overlay, name))) {
        if (typeof value !== 'string' || !/^https?:\/\//.test(value)) continue;
        if (key === 'PUBLIC_URL') continue; // links in mails, for browsers
        const url = new URL(value);
        const service = r.all<IService>('Service').find((s) => s.metadata.name === url.hostname);
        expect(service, `${name} ${key}=${value} names no rendered Service`).toBeDefined();
        expect(
          service?.spec?.ports?.map((p) => p.port),
          `${name} ${key}`,
        ).toContain(Number(url.port || 80));
        // A URL for one service's variable points at that service (USER_SERVICE_URL → user-service).
        const named = /^([A-Z]+)_SERVICE_URL$/.exec(key)?.[1]?.toLowerCase();
        if (named) expect(url.hostname, key).toBe(`${named}-service`);
        if (key === 'JWKS_URL') expect(url.hostname, key).toBe('user-service');
        calledBy.get(url.hostname as ServiceName)?.add(name);
      }
    }
    return calledBy;
  }

  it('lets each service be reached only by the services its callers’ configurations name', () => {
    const r = get(overlay);
    const policies = r.all<INetworkPolicy>('NetworkPolicy');
    const denyAll = policies.filter(
      (p) =>
        Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length === 0 &&
        p.spec?.policyTypes?.includes('Ingress') &&
        (p.spec.ingress ?? []).length === 0,
    );
    expect(denyAll, 'a default-deny ingress policy').toHaveLength(1);
    for (const [name, expected] of callers()) {
      const deployment = r.deployment(name);
      const container = containerOf(deployment);
      const labels = deployment.spec?.template.metadata?.labels ?? {};
      const mine = policies.filter(
        (p) =>
          Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length > 0 &&
          matches(p.spec?.podSelector?.matchLabels, labels),
      );
      const fromPods = new Set<string>();
      const fromNamespaces = new Set<string>();
      for (const rule of mine.flatMap((p) => p.spec?.ingress ?? [])) {
        for (const port of rule.ports ?? [])
          expect(portNumber(container, port.port), `${name}: ${String(port.port)}`).toBeDefined();
        for (const peer of rule.from ?? []) {
          expect(peer.ipBlock, `${name}: an ipBlock`).toBeUndefined();
          const app = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
          if (peer.podSelector) expect(app, `${name}: a pod selector by app name`).toBeDefined();
          if (peer.podSelector && !peer.namespaceSelector) fromPods.add(app ?? '');
          const namespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
          if (peer.namespaceSelector) {
            expect(namespace, `${name}: a namespace by name`).toBeDefined();
            expect(peer.podSelector, `${name}: pods in another namespace`).toBeUndefined();
            fromNamespaces.add(namespace ?? '');
          }
        }
      }
      expect([...fromPods].sort(), `who may call ${name}`).toEqual([...expected].sort());
      const external = name === 'gateway' ? [INGRESS_NAMESPACE, 'monitoring'] : ['monitoring'];
      expect([...fromNamespaces].sort(), `namespaces that reach ${name}`).toEqual(external);
    }
  });

  it('has one Ingress, to the gateway, on the host mails link to', () => {
    const r = get(overlay);
    const ingresses = r.all<IIngress>('Ingress');
    expect(ingresses).toHaveLength(1);
    const spec = ingresses[0]?.spec;
    const backends = (spec?.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).map((path) => path.backend.service),
    );
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      expect(backend?.name).toBe('gateway');
      expect(backend?.port?.name ?? backend?.port?.number).toMatch(/^(http|8080)$/);
    }
    const publicUrl = new URL(String(configOf(overlay, 'notification-service').PUBLIC_URL));
    expect(spec?.rules?.map((rule) => rule.host)).toEqual([publicUrl.hostname]);
    if (overlay === 'production') {
      expect(publicUrl.protocol).toBe('https:');
      expect(spec?.tls?.flatMap((t) => t.hosts ?? [])).toContain(publicUrl.hostname);
    }
  });
});

describe('deploy/k8s files', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? files(path) : [relative(K8S, path)];
    });

  it('holds no secret: placeholders only, in secrets.example.env alone', () => {
    const secret = readFileSync(join(K8S, 'secrets.example.env'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    for (const line of secret) expect(line, 'a placeholder').toContain('REPLACE_ME');
    expect(files(K8S).filter((f) => /\.env$|jwks/.test(f))).toEqual(['secrets.example.env']);
  });

  it('keeps the operator examples out of every overlay, with three RabbitMQ nodes', () => {
    for (const dir of ['base', 'overlays/development', 'overlays/production']) {
      const kustomization = readFileSync(join(K8S, dir, 'kustomization.yaml'), 'utf8');
      expect(kustomization).not.toMatch(/examples/);
    }
    const examples = files(join(K8S, 'examples')).filter((f) => f.endsWith('.yaml'));
    const objects = examples.flatMap((f) =>
      parseAllDocuments(readFileSync(join(K8S, f), 'utf8')).map((d) => d.toJS() as K8sObject),
    );
    const kinds = objects.map((o) => `${o.apiVersion} ${o.kind}`).sort();
    expect(kinds).toEqual([
      'mysql.oracle.com/v2 InnoDBCluster',
      'rabbitmq.com/v1beta1 RabbitmqCluster',
    ]);
    const rabbit = objects.find((o) => o.kind === 'RabbitmqCluster') as unknown as {
      spec: { replicas: number };
    };
    expect(rabbit.spec.replicas).toBe(3);
    expect(
      parse(readFileSync(join(K8S, 'examples', 'mysql-innodbcluster.yaml'), 'utf8')),
    ).toMatchObject({ spec: { instances: 3 } });
  });
});
