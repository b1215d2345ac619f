import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningAddresses } from './jvm-node.js';
import {
  ensureOpenSearch,
  isProcessRunning,
  OS_VERSIONS,
  type OsNode,
  startOpenSearch,
} from './opensearch.js';

async function osJson<T>(node: OsNode, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface RootInfo {
  version: { distribution?: string; number: string };
}

interface SearchResponse {
  hits: { total: { value: number }; hits: { _id: string; _source: Record<string, unknown> }[] };
}

// The tests share one node and run in order: start → index/search → restart → stop → kill/destroy.
describe('a local OpenSearch 2 node', () => {
  let node: OsNode;

  beforeAll(async () => {
    const started = Date.now();
    node = await startOpenSearch({ major: 2 });
    console.info(`OpenSearch ${node.version} yellow after ${Date.now() - started} ms (install included)`);
  }, 20 * 60_000);

  afterAll(async () => {
    await node?.destroy();
  });

  it('is OpenSearch at the pinned 2.19 version, run as gax-es on loopback, without the security plugin', async () => {
    const root = await osJson<RootInfo>(node, 'GET', '/');
    expect(root.version.distribution).toBe('opensearch');
    expect(root.version.number).toBe(OS_VERSIONS[2]);
    expect(node.version).toBe(OS_VERSIONS[2]);
    expect(node.url).toBe(`http://127.0.0.1:${node.port}`);
    const pid = node.pid as number;
    expect(isProcessRunning(pid)).toBe(true);
    const esUid = Number(execFileSync('id', ['-u', 'gax-es'], { encoding: 'utf8' }).trim());
    expect(statSync(`/proc/${pid}`).uid).toBe(esUid);
    const listening = listeningAddresses(pid);
    expect(listening).toContain(`127.0.0.1:${node.port}`);
    expect(listening.filter((a) => !a.startsWith('127.'))).toEqual([]);
    const plugins = await osJson<{ component: string }[]>(node, 'GET', '/_cat/plugins?format=json');
    expect(plugins.map((p) => p.component)).not.toContain('opensearch-security');
    const health = await osJson<{ status: string; number_of_nodes: number }>(node, 'GET', '/_cluster/health');
    expect(health.number_of_nodes).toBe(1);
    expect(['green', 'yellow']).toContain(health.status);
  });

  it('installs from a checksum-verified zip kept outside the clone', async () => {
    const home = await ensureOpenSearch(OS_VERSIONS[2]);
    expect(home.startsWith(process.cwd())).toBe(false);
    const zip = join(home, '..', `opensearch-${OS_VERSIONS[2]}.zip`);
    expect(existsSync(zip)).toBe(true);
    expect(existsSync(`${zip}.sha512`) || existsSync(`${zip}.sha1`)).toBe(true);
    expect(existsSync(join(home, '.gax-installed'))).toBe(true);
  });

  it('indexes a document and finds it with a match query', async () => {
    const doc = { apiName: 'PizzaShackAPI', proxyResponseCode: 200, responseLatency: 42 };
    const put = await osJson<{ result: string; _id: string }>(
      node,
      'PUT',
      '/gax-probe/_doc/e1?refresh=true',
      doc,
    );
    expect(put).toMatchObject({ result: 'created', _id: 'e1' });
    await osJson(node, 'PUT', '/gax-probe/_doc/e2?refresh=true', { ...doc, apiName: 'OtherAPI' });
    const found = await osJson<SearchResponse>(node, 'POST', '/gax-probe/_search', {
      query: { match: { apiName: 'PizzaShackAPI' } },
    });
    expect(found.hits.total.value).toBe(1);
    expect(found.hits.hits[0]).toMatchObject({ _id: 'e1', _source: doc });
  });

  it('keeps documents across restart() on the same URL, with a new JVM', async () => {
    const firstPid = node.pid as number;
    const url = node.url;
    await node.restart();
    expect(node.url).toBe(url);
    expect(node.pid).not.toBe(firstPid);
    expect(isProcessRunning(firstPid)).toBe(false);
    expect((await osJson<{ count: number }>(node, 'GET', '/gax-probe/_count')).count).toBe(2);
  }, 240_000);

  it('stop() ends the JVM by its PID and closes the port', async () => {
    const pid = node.pid as number;
    await node.stop();
    expect(node.pid).toBeUndefined();
    expect(isProcessRunning(pid)).toBe(false);
    await expect(fetch(`${node.url}/`)).rejects.toThrow();
  }, 60_000);

  it('kill() ends a restarted JVM at once, and destroy() is idempotent and leaves no JVM behind', async () => {
    await node.start();
    const pid = node.pid as number;
    expect(isProcessRunning(pid)).toBe(true);
    await node.kill();
    expect(node.pid).toBeUndefined();
    expect(isProcessRunning(pid)).toBe(false);
    await node.destroy();
    await node.destroy();
    expect(isProcessRunning(pid)).toBe(false);
    await expect(node.start()).rejects.toThrow(/destroyed/);
  }, 240_000);
});
