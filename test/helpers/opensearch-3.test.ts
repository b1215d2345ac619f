import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningAddresses } from './jvm-node.js';
import { isProcessRunning, OS_VERSIONS, type OsNode, startOpenSearch } from './opensearch.js';

async function osJson<T>(node: OsNode, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

// 3.x needs JDK 21+: the helper picks the machine's newer JDK (temurin-25) or GAX_OS3_JAVA_HOME.
describe('a local OpenSearch 3 node', () => {
  let node: OsNode;

  beforeAll(async () => {
    const started = Date.now();
    node = await startOpenSearch({ major: 3 });
    console.info(`OpenSearch ${node.version} yellow after ${Date.now() - started} ms (install included)`);
  }, 20 * 60_000);

  afterAll(async () => {
    await node?.destroy();
  });

  it('reports distribution opensearch at the pinned 3.x version and listens on loopback only', async () => {
    const root = await osJson<{ version: { distribution?: string; number: string } }>(node, 'GET', '/');
    expect(root.version).toMatchObject({ distribution: 'opensearch', number: OS_VERSIONS[3] });
    const listening = listeningAddresses(node.pid as number);
    expect(listening).toContain(`127.0.0.1:${node.port}`);
    expect(listening.filter((a) => !a.startsWith('127.'))).toEqual([]);
  });

  it('indexes and searches a document, then stop() ends the JVM by its PID', async () => {
    await osJson(node, 'PUT', '/gax-probe/_doc/e1?refresh=true', { apiName: 'PizzaShackAPI' });
    const found = await osJson<{ hits: { hits: { _id: string }[] } }>(node, 'POST', '/gax-probe/_search', {
      query: { match: { apiName: 'PizzaShackAPI' } },
    });
    expect(found.hits.hits.map((h) => h._id)).toEqual(['e1']);
    const pid = node.pid as number;
    await node.stop();
    expect(isProcessRunning(pid)).toBe(false);
  }, 60_000);
});
