import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_VERSIONS, type EsNode, isProcessRunning, startElasticsearch } from './elasticsearch.js';
import { startFaultProxy } from './fault-proxy.js';

async function esJson<T>(node: EsNode, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function docCount(node: EsNode, index: string): Promise<number> {
  return (await esJson<{ count: number }>(node, 'GET', `/${index}/_count`)).count;
}

// The tests share one node and run in order: start → proxy → restart → kill/destroy.
describe('a local Elasticsearch 8 node', () => {
  let node: EsNode;

  beforeAll(async () => {
    node = await startElasticsearch({ major: 8 });
  }, 300_000);

  afterAll(async () => {
    await node?.destroy();
  });

  it('runs the pinned 8.x version as the gax-es user and answers on its loopback URL', async () => {
    expect(node.version).toBe(ES_VERSIONS[8]);
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pid = node.pid as number;
    expect(isProcessRunning(pid)).toBe(true);
    const esUid = Number(execFileSync('id', ['-u', 'gax-es'], { encoding: 'utf8' }).trim());
    expect(statSync(`/proc/${pid}`).uid).toBe(esUid);
    const health = await esJson<{ status: string; number_of_nodes: number }>(node, 'GET', '/_cluster/health');
    expect(health.number_of_nodes).toBe(1);
    expect(['green', 'yellow']).toContain(health.status);
  });

  it('lets the gzip-compressing ES client bulk-index through the fault proxy, which splices in 429 items', async () => {
    const proxy = await startFaultProxy(node.url);
    const client = new Client({ node: proxy.url, compression: true, maxRetries: 0 });
    try {
      proxy.inject({ kind: 'bulk-item-429', every: 2 }, { times: 1 });
      const operations = [1, 2, 3, 4].flatMap((n) => [
        { create: { _index: 'proxied', _id: `p${n}` } },
        { n },
      ]);
      const response = await client.bulk({ operations, refresh: true });
      expect(response.errors).toBe(true);
      expect(response.items.map((i) => [i.create?._id, i.create?.status])).toEqual([
        ['p1', 201],
        ['p2', 429],
        ['p3', 201],
        ['p4', 429],
      ]);
      expect(await docCount(node, 'proxied')).toBe(2);
      expect(proxy.stats).toMatchObject({ bulkRequests: 1, faulted: 1 });
    } finally {
      await client.close();
      await proxy.close();
    }
  }, 30_000);

  it('keeps indexed documents across stop() and start() on the same URL and data dir', async () => {
    await esJson(node, 'PUT', '/restart/_doc/1?refresh=true', { survived: true });
    expect(await docCount(node, 'restart')).toBe(1);
    const firstPid = node.pid as number;
    const url = node.url;

    await node.stop();
    expect(node.pid).toBeUndefined();
    expect(isProcessRunning(firstPid)).toBe(false);
    await expect(fetch(`${url}/_cluster/health`)).rejects.toThrow();

    await node.start();
    expect(node.url).toBe(url);
    expect(node.pid).not.toBe(firstPid);
    expect(isProcessRunning(node.pid as number)).toBe(true);
    expect(await docCount(node, 'restart')).toBe(1);
  }, 90_000);

  it('kill() ends the JVM at once, and destroy() is idempotent and leaves no JVM behind', async () => {
    const pid = node.pid as number;
    await node.kill();
    expect(node.pid).toBeUndefined();
    expect(isProcessRunning(pid)).toBe(false);
    await node.destroy();
    await node.destroy();
    expect(isProcessRunning(pid)).toBe(false);
    await expect(node.start()).rejects.toThrow(/destroyed/);
  }, 60_000);
});
