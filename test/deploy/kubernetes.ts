import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** The parts of Kubernetes objects the checks read (a rendered manifest is untyped YAML). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string };
  tcpSocket?: { port?: number | string };
  periodSeconds?: number;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

export interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string };
  configMap?: { name: string; items?: { key: string; path: string }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}

export interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext & { fsGroup?: number };
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
}

export interface Deployment extends K8sObject {
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

export interface Service extends K8sObject {
  spec: {
    selector?: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: number | string }[];
  };
}

export interface ServiceMonitor extends K8sObject {
  spec: {
    jobLabel?: string;
    selector: { matchLabels?: Record<string, string> };
    endpoints: { port?: string; path?: string; scheme?: string }[];
  };
}

export interface Rendered {
  readonly objects: K8sObject[];
  readonly status: number | null;
  readonly stderr: string;
}

/** `kubectl kustomize DIR` (kustomize built into kubectl; offline), parsed. */
export function kustomize(dir: string): Rendered {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  const docs = result.status === 0 ? parseAllDocuments(result.stdout) : [];
  const objects = docs.flatMap((d) => {
    if (d.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${d.errors[0]?.message}`);
    return d.toJS() === null ? [] : [d.toJS() as K8sObject];
  });
  return { objects, status: result.status, stderr: result.stderr };
}

export function ofKind<T extends K8sObject>(objects: readonly K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

/** True when every label of `selector` is on `labels`. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** The numeric port a probe, Service targetPort or endpoint names in `container`. */
export function portNumber(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** The PrometheusRule for the bundled rules file: its groups, unchanged. */
export function prometheusRule(groups: unknown): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'gax', labels: { 'app.kubernetes.io/name': 'gax' } },
    spec: { groups },
  };
}
