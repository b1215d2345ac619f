import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { CLI, runCli } from '../helpers/cli.js';
import { GOLDEN_UPDATE_COMMAND } from '../helpers/golden.js';
import { parseDockerfile } from './dockerfile.js';
import { finalStage } from './image.js';
import {
  type Deployment,
  type K8sObject,
  kustomize,
  ofKind,
  prometheusRule,
  type Rendered,
  type Service,
  type ServiceMonitor,
} from './kubernetes.js';
import { startGax, statusOf } from './run.js';
import { checkSidecar, type Expected, findSidecar } from './sidecar-checks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const K8S = join(ROOT, 'deploy/kubernetes');
const RULES = readFileSync(join(ROOT, 'dashboards/prometheus/rules.yaml'), 'utf8');
const RULE_FILE = join(K8S, 'components/prometheus-operator/prometheusrule.yaml');
const server = readFileSync(join(ROOT, 'src/http/server.ts'), 'utf8');
const dockerfile = finalStage(parseDockerfile(readFileSync(join(ROOT, 'deploy/docker/Dockerfile'), 'utf8')));

const expected: Expected = {
  uid: Number(dockerfile.user?.split(':')[0]),
  endpoints: [...server.matchAll(/case '(\/[a-z]+)':/g)].map((m) => m[1] ?? ''),
  job: /up\{job="([^"]+)"\}/.exec(RULES)?.[1] ?? '',
};

const gaxOf = (objects: readonly K8sObject[]) => {
  const pod = ofKind<Deployment>(objects, 'Deployment')[0]?.spec.template.spec;
  const gax = pod?.initContainers?.find((c) => c.name === 'gax');
  if (pod === undefined || gax === undefined) throw new Error('no gax sidecar');
  return { pod, gax };
};

describe('deploy/kubernetes', () => {
  it('agrees with the code it is checked against', () => {
    expect(expected.endpoints).toEqual(['/healthz', '/readyz', '/metrics']);
    expect(expected.uid).toBeGreaterThan(0);
    expect(expected.job).toBe('gax');
  });

  it('has a PrometheusRule that is dashboards/prometheus/rules.yaml, unchanged', async () => {
    const want = prometheusRule((parse(RULES) as { groups: unknown }).groups);
    if (process.env.GAX_UPDATE_GOLDEN === '1') {
      const header = [
        '# Generated from dashboards/prometheus/rules.yaml by test/deploy/kubernetes.test.ts',
        `# (\`${GOLDEN_UPDATE_COMMAND}\`); do not edit: change the rules file and regenerate.`,
        '# The thresholds, the job="gax" selector and the runbook links are explained there.',
      ];
      await writeFile(RULE_FILE, `${header.join('\n')}\n${stringify(want, { lineWidth: 90 })}`);
    }
    const message = `${RULE_FILE} differs from the rules; regenerate it with \`${GOLDEN_UPDATE_COMMAND}\``;
    expect(parse(readFileSync(RULE_FILE, 'utf8')), message).toEqual(want);
  });
});

describe.each([
  ['base', join(K8S, 'base')],
  ['overlays/example', join(K8S, 'overlays/example')],
])('kubectl kustomize deploy/kubernetes/%s', (name, dir) => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = kustomize(dir);
  });

  it('renders without errors or warnings', () => {
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    expect(rendered.objects.length).toBeGreaterThan(3);
  });

  it('runs gax as a sidecar consistent with its config, image, server and alert rules', () => {
    expect(checkSidecar(rendered.objects, expected)).toEqual([]);
  });

  it('mounts a config that gax check-config accepts', async () => {
    const { sidecar } = findSidecar(rendered.objects);
    const file = join(await mkdtemp(join(tmpdir(), 'gax-k8s-')), 'config.yaml');
    await writeFile(file, sidecar?.configText ?? '');
    const secrets = Object.fromEntries((sidecar?.gax.env ?? []).map((e) => [e.name, 'a-secret']));
    const result = await runCli(['check-config', '--config', file], { env: secrets });
    expect(`${result.stdout}${result.stderr}`).not.toContain('GAX_ERR');
    expect(result.code).toBe(0);
    await rm(file, { force: true });
  });

  if (name === 'base') {
    it('needs no CRDs and no Secret: core and apps objects only', () => {
      const kinds = rendered.objects.map((o) => `${o.apiVersion} ${o.kind}`).sort();
      expect([...new Set(kinds)]).toEqual(['apps/v1 Deployment', 'v1 ConfigMap', 'v1 Service']);
    });
  } else {
    it('takes the credentials from the Secret gax-credentials: an env var and a key file', () => {
      const { sidecar } = findSidecar(rendered.objects);
      const { gax, pod } = gaxOf(rendered.objects);
      const ref = gax.env?.find((e) => e.name === 'ES_API_KEY')?.valueFrom?.secretKeyRef;
      expect(ref).toEqual({ name: 'gax-credentials', key: 'elasticsearch-api-key' });
      expect(sidecar?.config.plugins.elasticsearch.auth).toEqual({ apiKey: 'from-elasticsearch-api-key' });
      const file = sidecar?.config.plugins.datadog.apiKeyFile ?? '';
      const mount = gax.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
      const secret = pod.volumes?.find((v) => v.name === mount?.name)?.secret;
      expect(secret?.secretName).toBe('gax-credentials');
      expect(secret?.items).toEqual([
        { key: 'datadog-api-key', path: file.slice(`${mount?.mountPath}/`.length) },
      ]);
      expect(mount?.readOnly).toBe(true);
      expect((secret as { defaultMode?: number } | undefined)?.defaultMode).toBe(0o440);
    });

    it('adds the ServiceMonitor and the PrometheusRule, all in one namespace', () => {
      expect(ofKind<ServiceMonitor>(rendered.objects, 'ServiceMonitor')).toHaveLength(1);
      expect(ofKind(rendered.objects, 'PrometheusRule')).toHaveLength(1);
      const namespaces = rendered.objects.map((o) => (o.metadata as { namespace?: string }).namespace);
      expect(new Set(namespaces)).toEqual(new Set(['apim']));
    });
  }
});

type Mutation = (objects: K8sObject[]) => void;
const gax = (objects: K8sObject[]) => gaxOf(objects).gax;

describe('the sidecar checks', () => {
  const overlay = kustomize(join(K8S, 'overlays/example')).objects;
  const cases: [string, Mutation, string][] = [
    [
      'server.host 127.0.0.1',
      (o) => {
        const map = ofKind(o, 'ConfigMap')[0];
        if (map?.data)
          map.data['config.yaml'] = map.data['config.yaml']?.replace('0.0.0.0', '127.0.0.1') ?? '';
      },
      'cannot connect',
    ],
    [
      'a sidecar readinessProbe on /readyz',
      (o) => Object.assign(gax(o).readinessProbe?.httpGet ?? {}, { path: '/readyz' }),
      'readinessProbe path /readyz: want /healthz',
    ],
    [
      'a startupProbe on /ready',
      (o) => Object.assign(gax(o).startupProbe?.httpGet ?? {}, { path: '/ready' }),
      'startupProbe path /ready',
    ],
    [
      'a small state volume',
      (o) => {
        const state = gaxOf(o).pod.volumes?.find((v) => v.name === 'gax-state');
        if (state) state.emptyDir = { sizeLimit: '64Mi' };
      },
      'sizeLimit is too small',
    ],
    [
      'liveness on port 8080',
      (o) => Object.assign(gax(o).livenessProbe?.httpGet ?? {}, { port: 8080 }),
      'port 8080',
    ],
    [
      'a writable root filesystem',
      (o) => delete gax(o).securityContext?.readOnlyRootFilesystem,
      'readOnlyRoot',
    ],
    ['root', (o) => Object.assign(gax(o).securityContext ?? {}, { runAsUser: 0 }), 'runAsUser 0'],
    ['capabilities kept', (o) => delete gax(o).securityContext?.capabilities, 'drop ALL'],
    [
      'a renamed secret env var',
      (o) => Object.assign(gax(o).env?.[0] ?? {}, { name: 'ES_KEY' }),
      'ES_API_KEY',
    ],
    [
      'a renamed Datadog key item',
      (o) =>
        Object.assign(gaxOf(o).pod.volumes?.find((v) => v.secret)?.secret?.items?.[0] ?? {}, { path: 'dd' }),
      'has no item datadog-api-key',
    ],
    [
      'a read-only state volume',
      (o) =>
        Object.assign(gax(o).volumeMounts?.find((m) => m.name === 'gax-state') ?? {}, { readOnly: true }),
      '/var/lib/gax is not on a writable',
    ],
    [
      'a log volume the gateway does not write',
      (o) => {
        const gateway = gaxOf(o).pod.containers[0];
        if (gateway) gateway.volumeMounts = [];
      },
      'not shared',
    ],
    ['a plain init container', (o) => delete gax(o).restartPolicy, 'block the pod'],
    [
      'a short grace period',
      (o) => Object.assign(gaxOf(o).pod, { terminationGracePeriodSeconds: 5 }),
      'GracePeriod',
    ],
    [
      'a wrong prometheus.io/port',
      (o) => {
        const s = ofKind<Service>(o, 'Service').find((x) => x.metadata.name === 'gax-metrics');
        if (s?.metadata.annotations) s.metadata.annotations['prometheus.io/port'] = '9090';
      },
      'prometheus.io/port',
    ],
    [
      'a ServiceMonitor without jobLabel',
      (o) => delete ofKind<ServiceMonitor>(o, 'ServiceMonitor')[0]?.spec.jobLabel,
      'job "gax-metrics"',
    ],
  ];

  it.each(cases)('report %s', (_name, mutate, problem) => {
    const objects = structuredClone(overlay);
    mutate(objects);
    expect(checkSidecar(objects, expected).join('\n')).toContain(problem);
  });
});

describe('the base sidecar config, run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-k8s-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the probes of the manifest, /readyz and /metrics with 200', async () => {
    const objects = kustomize(join(K8S, 'base')).objects;
    const { sidecar } = findSidecar(objects);
    const doc = parseDocument(sidecar?.configText ?? '');
    doc.setIn(['inputs', 0, 'paths'], [join(dir, 'logs', 'apim_metrics.log')]);
    doc.setIn(['state', 'dir'], join(dir, 'state'));
    // The pod's 0.0.0.0 becomes loopback here: tests reach only this machine.
    doc.setIn(['server', 'host'], '127.0.0.1');
    doc.setIn(['server', 'port'], 0);
    await writeFile(join(dir, 'config.yaml'), String(doc));
    const daemon = await startGax(CLI, ['run', '--config', join(dir, 'config.yaml')], { cwd: dir });
    try {
      const { gax } = gaxOf(objects);
      const probes = [gax.startupProbe, gax.livenessProbe, gax.readinessProbe];
      const paths = probes.map((p) => p?.httpGet?.path ?? '');
      expect(paths).toEqual(['/healthz', '/healthz', '/healthz']);
      // /readyz: the readiness probe of gax in a pod of its own; /metrics: the scrape.
      for (const path of [...paths, '/readyz', '/metrics']) {
        expect(await statusOf(`${daemon.url}${path}`)).toBe(200);
      }
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});
