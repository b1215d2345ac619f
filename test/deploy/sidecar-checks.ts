import { posix } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import {
  type Container,
  type Deployment,
  type K8sObject,
  ofKind,
  type PodSpec,
  portNumber,
  type Service,
  type ServiceMonitor,
  selects,
} from './kubernetes.js';

/** What the manifests must agree with: the image, the HTTP server, the bundled alert rules. */
export interface Expected {
  /** The image's numeric USER. */
  readonly uid: number;
  /** Paths the HTTP server answers (src/http/server.ts). */
  readonly endpoints: readonly string[];
  /** The scrape job the bundled rules select (`up{job="…"}`). */
  readonly job: string;
}

export interface Sidecar {
  readonly deployment: Deployment;
  readonly pod: PodSpec;
  readonly gax: Container;
  readonly configText: string;
  readonly config: Config;
}

/** Finds the gax container and its configuration (from the ConfigMap its --config names). */
export function findSidecar(objects: readonly K8sObject[]): { sidecar?: Sidecar; problems: string[] } {
  const found = ofKind<Deployment>(objects, 'Deployment').flatMap((deployment) => {
    const pod = deployment.spec.template.spec;
    return [...(pod.initContainers ?? []), ...pod.containers]
      .filter((c) => c.name === 'gax')
      .map((gax) => ({ deployment, pod, gax }));
  });
  const [first] = found;
  if (first === undefined || found.length > 1) return { problems: [`${found.length} gax containers`] };
  const { pod, gax } = first;
  const args = [...(gax.command ?? []), ...(gax.args ?? [])];
  const path = args[args.indexOf('--config') + 1];
  if (!args.includes('--config') || path === undefined) return { problems: ['gax args have no --config'] };
  const mount = gax.volumeMounts?.find((m) => m.mountPath === posix.dirname(path) && m.subPath === undefined);
  const volume = pod.volumes?.find((v) => v.name === mount?.name)?.configMap;
  const key = volume?.items?.find((i) => i.path === posix.basename(path))?.key ?? posix.basename(path);
  const configMap = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === volume?.name);
  const configText = configMap?.data?.[key];
  if (configText === undefined) return { problems: [`--config ${path} is not a mounted ConfigMap key`] };
  const env = Object.fromEntries(
    (gax.env ?? []).map((e) => [e.name, e.value ?? `from-${e.valueFrom?.secretKeyRef?.key ?? 'elsewhere'}`]),
  );
  const loaded = parseConfig(configText, { env, source: path });
  if (!loaded.ok) {
    return { problems: loaded.problems.map((p) => `config ${p.path}: ${p.message}`) };
  }
  return { sidecar: { ...first, configText, config: loaded.config }, problems: [] };
}

/** Every problem of the gax sidecar in rendered manifests; none when all is consistent. */
export function checkSidecar(objects: readonly K8sObject[], expected: Expected): string[] {
  const { sidecar, problems } = findSidecar(objects);
  if (sidecar === undefined) return problems;
  return [
    ...containerProblems(sidecar, expected),
    ...securityProblems(sidecar, expected),
    ...mountProblems(sidecar),
    ...serviceProblems(objects, sidecar, expected),
  ];
}

function containerProblems({ pod, gax, config, configText }: Sidecar, expected: Expected): string[] {
  const problems: string[] = [];
  const { server } = config;
  if (pod.initContainers?.includes(gax) === true && gax.restartPolicy !== 'Always')
    problems.push('gax is an init container without restartPolicy: Always (it would block the pod)');
  if (!server.enabled) problems.push('server.enabled is false: no probes, no /metrics');
  if (['127.0.0.1', 'localhost', '::1'].includes(server.host))
    problems.push(`server.host ${server.host}: the kubelet's probes and Prometheus cannot connect`);
  if (!(gax.ports ?? []).some((p) => p.containerPort === server.port))
    problems.push(`no containerPort ${server.port} (server.port)`);
  const sidecar = [...(pod.initContainers ?? []), ...pod.containers].length > 1;
  // A sidecar's readiness is the gateway's: /readyz there would take the gateway out of its
  // Service during a backend outage (docs/operations.md, "Health probes").
  const readiness = sidecar ? '/healthz' : '/readyz';
  const wanted = [
    ['livenessProbe', ['/healthz']],
    ['readinessProbe', [readiness]],
    ['startupProbe', ['/healthz', '/readyz']],
  ] as const;
  for (const [name, paths] of wanted) {
    const probe = gax[name];
    if (probe === undefined) {
      if (name !== 'startupProbe') problems.push(`no ${name}`);
      continue;
    }
    const path = probe.httpGet?.path ?? '';
    if (!(paths as readonly string[]).includes(path) || !expected.endpoints.includes(path))
      problems.push(`${name} path ${path || '(none)'}: want ${paths.join(' or ')}`);
    if (portNumber(probe.httpGet?.port, gax) !== server.port)
      problems.push(`${name} port ${String(probe.httpGet?.port)} is not server.port ${server.port}`);
    if ((probe.httpGet?.scheme ?? 'HTTP') !== (server.tls === undefined ? 'HTTP' : 'HTTPS'))
      problems.push(`${name} scheme does not match server.tls`);
  }
  const { requests, limits } = gax.resources ?? {};
  if (requests?.cpu === undefined || requests.memory === undefined || limits?.memory === undefined)
    problems.push('resources: want requests.cpu, requests.memory and limits.memory');
  if ((pod.terminationGracePeriodSeconds ?? 30) * 1000 <= config.pipeline.shutdownTimeoutMs)
    problems.push('terminationGracePeriodSeconds is not longer than pipeline.shutdownTimeoutMs');
  for (const e of gax.env ?? []) {
    if (e.valueFrom?.secretKeyRef !== undefined && !configText.includes(`\${${e.name}`))
      problems.push(`secret env ${e.name} is not referenced by the config`);
  }
  return problems;
}

function securityProblems({ pod, gax }: Sidecar, expected: Expected): string[] {
  const c = gax.securityContext ?? {};
  const p = pod.securityContext ?? {};
  const problems: string[] = [];
  if ((c.runAsNonRoot ?? p.runAsNonRoot) !== true) problems.push('runAsNonRoot is not true');
  const uid = c.runAsUser ?? p.runAsUser;
  if (uid !== undefined && uid !== expected.uid)
    problems.push(`runAsUser ${uid} is not the image's ${expected.uid}`);
  if (c.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem is not true');
  if (c.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
  if (c.privileged === true) problems.push('privileged');
  if (!(c.capabilities?.drop ?? []).includes('ALL')) problems.push('capabilities do not drop ALL');
  if ((c.capabilities?.add ?? []).length > 0) problems.push('capabilities are added');
  if ((c.seccompProfile ?? p.seccompProfile)?.type !== 'RuntimeDefault')
    problems.push('seccompProfile is not RuntimeDefault');
  return problems;
}

/** Each path the config reads or writes is on a volume: logs shared, state writable, secrets mounted. */
function mountProblems({ pod, gax, config }: Sidecar): string[] {
  const problems: string[] = [];
  const mountOf = (path: string) =>
    (gax.volumeMounts ?? [])
      .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volumeOf = (name: string) => pod.volumes?.find((v) => v.name === name);
  const others = [...(pod.initContainers ?? []), ...pod.containers].filter((c) => c !== gax);
  for (const path of config.inputs.flatMap((i) => i.paths)) {
    const mount = mountOf(posix.dirname(path));
    if (mount === undefined) problems.push(`input ${path} is on no volume`);
    else if (!others.some((c) => c.volumeMounts?.some((m) => m.name === mount.name)))
      problems.push(`input ${path}: volume ${mount.name} is not shared with another container`);
  }
  const writable = [config.state.dir, config.pipeline.deadLetter.path];
  if (config.plugins.file.enabled) writable.push(config.plugins.file.path);
  for (const path of writable.filter((p) => p !== '')) {
    const mount = mountOf(path);
    const volume = mount === undefined ? undefined : volumeOf(mount.name);
    if (
      mount === undefined ||
      mount.readOnly === true ||
      (!volume?.emptyDir && !volume?.persistentVolumeClaim)
    )
      problems.push(`${path} is not on a writable emptyDir or PVC mount (read-only root filesystem)`);
    const limit = bytes(volume?.emptyDir?.sizeLimit);
    const { maxBytes, maxFiles } = config.pipeline.deadLetter as { maxBytes: number; maxFiles?: number };
    if (limit !== undefined && limit < maxBytes * ((maxFiles ?? 1) + 1) * 1.25)
      problems.push(`${path}: emptyDir sizeLimit is too small for the dead-letter files (eviction)`);
  }
  const { datadog, elasticsearch } = config.plugins;
  const files = [
    datadog.enabled ? datadog.apiKeyFile : undefined,
    elasticsearch.enabled ? elasticsearch.tls.caFile : undefined,
    config.server.tls?.certFile,
    config.server.tls?.keyFile,
  ];
  for (const path of files.filter((f) => f !== undefined)) {
    const mount = mountOf(path);
    const volume = mount === undefined ? undefined : volumeOf(mount.name);
    const source = volume?.secret ?? volume?.configMap;
    const inside = mount === undefined ? '' : posix.relative(mount.mountPath, path);
    if (source === undefined) problems.push(`${path} is on no secret or ConfigMap volume`);
    else if (source.items !== undefined && !source.items.some((i) => i.path === inside))
      problems.push(`${path}: the volume ${mount?.name} has no item ${inside}`);
  }
  return problems;
}

function serviceProblems(objects: readonly K8sObject[], sidecar: Sidecar, expected: Expected): string[] {
  const problems: string[] = [];
  const { gax, deployment, config } = sidecar;
  const port = config.server.port;
  const labels = deployment.spec.template.metadata.labels;
  const metrics = ofKind<Service>(objects, 'Service').filter(
    (s) =>
      selects(s.spec.selector, labels) && s.spec.ports.some((p) => portNumber(p.targetPort, gax) === port),
  );
  if (metrics.length === 0) problems.push(`no Service selects the pods on port ${port}`);
  for (const s of metrics) {
    const a = s.metadata.annotations ?? {};
    if (a['prometheus.io/scrape'] !== 'true') continue;
    if (a['prometheus.io/port'] !== String(port))
      problems.push(`Service ${s.metadata.name}: prometheus.io/port is not ${port}`);
    if ((a['prometheus.io/path'] ?? '/metrics') !== '/metrics' || !expected.endpoints.includes('/metrics'))
      problems.push(`Service ${s.metadata.name}: prometheus.io/path is not /metrics`);
  }
  for (const monitor of ofKind<ServiceMonitor>(objects, 'ServiceMonitor')) {
    const name = `ServiceMonitor ${monitor.metadata.name}`;
    const services = metrics.filter((s) =>
      selects(monitor.spec.selector.matchLabels, s.metadata.labels ?? {}),
    );
    if (services.length !== 1) {
      problems.push(`${name} selects ${services.length} metrics Services`);
      continue;
    }
    const [service] = services as [Service];
    for (const endpoint of monitor.spec.endpoints) {
      if (!service.spec.ports.some((p) => p.name === endpoint.port))
        problems.push(
          `${name}: port ${String(endpoint.port)} is not a port name of ${service.metadata.name}`,
        );
      if ((endpoint.path ?? '/metrics') !== '/metrics') problems.push(`${name}: path is not /metrics`);
    }
    const jobLabel = monitor.spec.jobLabel;
    const job = jobLabel === undefined ? service.metadata.name : service.metadata.labels?.[jobLabel];
    if (job !== expected.job)
      problems.push(`${name}: job "${String(job)}", the rules expect "${expected.job}"`);
  }
  return problems;
}

/** A Kubernetes quantity such as 512Mi or 4Gi in bytes; undefined when unset. */
function bytes(quantity: unknown): number | undefined {
  if (typeof quantity !== 'string') return undefined;
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match?.[2] ?? ''] ?? 1;
  return match === null ? Number.NaN : Number(match[1]) * unit;
}
