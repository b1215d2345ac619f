/**
 * `gax setup datadog` (the built CLI) against the loopback Datadog API stand-in, which checks every
 * dashboard and monitor body against Datadog's OpenAPI schemas and stores them like Datadog does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { covers, dashboardKey, loadDatadogBundle, monitorKey } from '../../plugins/datadog/setup/bundle.js';
import { runCli } from '../helpers/cli.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';

const API_KEY = 'api-key-7c1f0e5ab9';
const APP_KEY = 'app-key-3d9b2a44c1';
const DASHBOARDS = 8;
const MONITORS = 3;

let receiver: DatadogReceiver;
let dir: string;

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: API_KEY, appKey: APP_KEY });
  dir = await mkdtemp(join(tmpdir(), 'gax-setup-datadog-'));
});

afterAll(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  receiver.clear();
  receiver.reset();
});

let configs = 0;
/** A daemon configuration whose `plugins.datadog` points at the receiver. */
async function config(datadog: Record<string, string> = {}): Promise<string> {
  const path = join(dir, `gax-${++configs}.yaml`);
  const section = { url: receiver.url, apiKey: API_KEY, ...datadog };
  await writeFile(
    path,
    `inputs: [{ paths: [apim_metrics.log] }]\nplugins:\n  datadog: ${JSON.stringify(section)}\n`,
  );
  return path;
}

function setup(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(['setup', 'datadog', ...args], {
    env: { DD_APP_KEY: APP_KEY, DD_API_KEY: '', DD_SITE: '', ...env },
  });
}

const lines = (stdout: string, result: string) =>
  stdout.split('\n').filter((l) => new RegExp(`^(dashboard|monitor)\\s+.+\\s${result}\\s+\\S+$`).test(l));

/** Requests that wrote dashboards or monitors. */
const writes = (from = 0) =>
  receiver.requests
    .slice(from)
    .filter(
      (r) => (r.method === 'POST' || r.method === 'PUT') && /^\/api\/v1\/(dashboard|monitor)/.test(r.path),
    );

function storedQueries(): string[] {
  const text = JSON.stringify([...receiver.dashboards.values(), ...receiver.monitors.values()]);
  return [...text.matchAll(/"query":"([^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('gax setup datadog', () => {
  it('creates every bundled dashboard and monitor and reports each one', async () => {
    const r = await setup(['-c', await config()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(receiver.dashboards.size).toBe(DASHBOARDS);
    expect(receiver.monitors.size).toBe(MONITORS);
    expect(lines(r.stdout, 'created')).toHaveLength(DASHBOARDS + MONITORS);
    for (const [id, d] of receiver.dashboards) {
      const title = (d as { title: string }).title;
      expect(r.stdout).toMatch(
        new RegExp(`^dashboard\\s+${title.replace(/[[\]()]/g, '\\$&')}\\s+created\\s+${id}$`, 'm'),
      );
    }
    expect(r.stdout).toContain(
      `done: ${DASHBOARDS} dashboards, ${MONITORS} monitors (${DASHBOARDS + MONITORS} created, 0 updated, 0 unchanged, 0 failed)`,
    );
    expect(receiver.requests.flatMap((q) => q.problems)).toEqual([]);
    for (const q of receiver.requests) {
      expect(q.headers['dd-api-key']).toBe(API_KEY);
      if (q.path !== '/api/v1/validate') expect(q.headers['dd-application-key']).toBe(APP_KEY);
    }
    const bundle = await loadDatadogBundle('apim.');
    for (const d of bundle.dashboards) {
      const stored = [...receiver.dashboards.values()].find(
        (x) => dashboardKey((x as { description: string }).description) === d.key,
      );
      expect(covers(stored, d.body), d.title).toBe(true);
    }
    for (const m of bundle.monitors) {
      const stored = [...receiver.monitors.values()].find(
        (x) => monitorKey((x as { tags: string[] }).tags) === m.key,
      );
      expect(covers(stored, m.body), m.title).toBe(true);
    }
    expect(`${r.stdout}${r.stderr}`).not.toContain(API_KEY);
    expect(`${r.stdout}${r.stderr}`).not.toContain(APP_KEY);
  });

  it('reports every object unchanged on a second run and writes nothing', async () => {
    const file = await config();
    await setup(['-c', file]);
    const ids = [...receiver.dashboards.keys(), ...receiver.monitors.keys()].sort();
    const before = receiver.requests.length;
    const r = await setup(['-c', file]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout, 'unchanged')).toHaveLength(DASHBOARDS + MONITORS);
    expect(r.stdout).not.toMatch(/\s(created|updated)\s/);
    expect(writes(before)).toEqual([]);
    expect([...receiver.dashboards.keys(), ...receiver.monitors.keys()].sort()).toEqual(ids);
  });

  it('updates every object in place for another metric prefix', async () => {
    await setup(['-c', await config()]);
    const ids = [...receiver.dashboards.keys(), ...receiver.monitors.keys()].sort();
    const r = await setup(['-c', await config({ prefix: 'acme.gw.' })]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout, 'updated')).toHaveLength(DASHBOARDS + MONITORS);
    expect([...receiver.dashboards.keys(), ...receiver.monitors.keys()].sort()).toEqual(ids);
    const queries = storedQueries();
    expect(queries.length).toBeGreaterThan(50);
    expect(queries.filter((q) => q.includes(':apim.'))).toEqual([]);
    expect(queries.every((q) => q.includes(':acme.gw.'))).toBe(true);
    expect(receiver.requests.flatMap((q) => q.problems)).toEqual([]);
    const again = await setup(['-c', await config(), '--prefix', 'acme.gw.']);
    expect(lines(again.stdout, 'unchanged')).toHaveLength(DASHBOARDS + MONITORS);
  });

  it('puts back a dashboard that was changed in Datadog and leaves the others alone', async () => {
    const file = await config();
    await setup(['-c', file]);
    const [id, stored] = [...receiver.dashboards.entries()][0] as [string, Record<string, unknown>];
    const changed = await fetch(`${receiver.url}/api/v1/dashboard/${id}`, {
      method: 'PUT',
      headers: { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ ...stored, widgets: (stored.widgets as unknown[]).slice(1) }),
    });
    expect(changed.status).toBe(200);
    const r = await setup(['-c', file]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout, 'updated')).toEqual([expect.stringContaining(id)]);
    expect(lines(r.stdout, 'unchanged')).toHaveLength(DASHBOARDS + MONITORS - 1);
  });

  it('manages the first of several dashboards with the same key and says so', async () => {
    const file = await config();
    await setup(['-c', file]);
    const [id, stored] = [...receiver.dashboards.entries()][0] as [string, Record<string, unknown>];
    const copy = await fetch(`${receiver.url}/api/v1/dashboard`, {
      method: 'POST',
      headers: { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ ...stored, title: 'a clone' }),
    });
    const copyId = ((await copy.json()) as { id: string }).id;
    const r = await setup(['-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`note: dashboards ${id}, ${copyId} all carry [gax:`);
    expect(lines(r.stdout, 'unchanged')).toHaveLength(DASHBOARDS + MONITORS);
    expect(receiver.dashboards.size).toBe(DASHBOARDS + 1);
  });

  it('reads the API key from apiKeyFile', async () => {
    const keyFile = join(dir, 'dd-api-key');
    await writeFile(keyFile, `${API_KEY}\n`);
    const r = await setup(['-c', await config({ apiKey: '', apiKeyFile: keyFile })]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(receiver.dashboards.size).toBe(DASHBOARDS);
  });

  it('fails with the reason when Datadog refuses the API key, and creates nothing', async () => {
    const wrong = 'wrong-key-0b5e77d2';
    const r = await setup(['-c', await config({ apiKey: wrong })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${receiver.url} refused the API key: HTTP 403 Forbidden`);
    expect(r.stderr).toContain('[GAX_ERR_SETUP_FAILED]');
    expect(`${r.stdout}${r.stderr}`).not.toContain(wrong);
    expect(writes()).toEqual([]);
  });

  it('fails naming DD_APP_KEY when the application key is refused or missing', async () => {
    const file = await config();
    const refused = await setup(['-c', file], { DD_APP_KEY: 'not-the-app-key' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /cannot list dashboards and monitors on .*: HTTP 403 Forbidden; check DD_APP_KEY/,
    );
    expect(refused.stderr).not.toContain('not-the-app-key');
    const missing = await setup(['-c', file], { DD_APP_KEY: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DD_APP_KEY is not set');
    expect(writes()).toEqual([]);
  });

  it('reports an object Datadog refused, does the rest, and exits 1', async () => {
    await setup(['-c', await config()]);
    const monitorId = [...receiver.monitors.keys()][1];
    receiver.inject({ kind: 'status', status: 500 }, { path: `/api/v1/monitor/${monitorId}` });
    const r = await setup(['-c', await config({ prefix: 'other.' })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^monitor\s+.+\sFAILED\s+HTTP 500/m);
    expect(lines(r.stdout, 'updated')).toHaveLength(DASHBOARDS + MONITORS - 1);
    expect(r.stderr).toContain(`1 of ${DASHBOARDS + MONITORS} objects failed [GAX_ERR_SETUP_FAILED]`);
  });

  it('prints what it would send with --print and contacts nothing', async () => {
    const r = await setup(['-c', await config({ prefix: 'acme.' }), '--print']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    const out = JSON.parse(r.stdout) as { dashboards: unknown[]; monitors: unknown[] };
    expect(out.dashboards).toHaveLength(DASHBOARDS);
    expect(out.monitors).toHaveLength(MONITORS);
    expect(r.stdout).toContain('sum:acme.requests{');
    expect(r.stdout).not.toContain(API_KEY);
  });

  it('refuses a --url that is not http(s) as a usage error', async () => {
    const r = await setup(['--url', 'ftp://example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--url must be an http(s) URL');
  });
});

describe('covers', () => {
  it('ignores fields Datadog adds but not a changed or missing value or a different array length', () => {
    const wanted = { a: 1, list: [{ x: 'y' }], options: { thresholds: { critical: 1 } } };
    expect(
      covers(
        {
          ...wanted,
          id: 7,
          list: [{ x: 'y', id: 1 }],
          options: { thresholds: { critical: 1 }, silenced: {} },
        },
        wanted,
      ),
    ).toBe(true);
    expect(covers({ ...wanted, a: 2 }, wanted)).toBe(false);
    expect(covers({ list: wanted.list, options: wanted.options }, wanted)).toBe(false);
    expect(covers({ ...wanted, list: [{ x: 'y' }, { x: 'z' }] }, wanted)).toBe(false);
  });
});
