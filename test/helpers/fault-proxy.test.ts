import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in for ES: acknowledges each bulk action (201) and echoes anything else, gzipped on request. */
function startFakeEs(seen: Seen[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-elastic-product': 'Elasticsearch',
      };
      let answer = JSON.stringify({ path: req.url });
      if (req.url?.endsWith('/_bulk')) {
        const lines = body.split('\n').filter((l) => l !== '');
        const items = lines
          .filter((_, i) => i % 2 === 0)
          .map((line) => {
            const meta = (JSON.parse(line) as { create: { _index: string; _id: string } }).create;
            return { create: { _index: meta._index, _id: meta._id, status: 201, result: 'created' } };
          });
        answer = JSON.stringify({ took: 1, errors: false, items });
      }
      if (String(req.headers['accept-encoding'] ?? '').includes('gzip')) {
        headers['content-encoding'] = 'gzip';
        res.writeHead(200, headers).end(gzipSync(answer));
        return;
      }
      res.writeHead(200, headers).end(answer);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One HTTP exchange through a keep-alive agent; rejects on connection errors (resets). */
function send(
  url: string,
  path: string,
  options: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const body = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A gzipped bulk body of `n` create actions with ids d1..dn. */
function bulkBody(n: number): Buffer {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push(JSON.stringify({ create: { _index: 'events', _id: `d${i}` } }), JSON.stringify({ n: i }));
  }
  return gzipSync(`${lines.join('\n')}\n`);
}

const BULK_HEADERS = {
  'content-type': 'application/x-ndjson',
  'content-encoding': 'gzip',
  'accept-encoding': 'gzip,deflate',
};

function postBulk(url: string, n: number): Promise<Reply> {
  return send(url, '/_bulk', { method: 'POST', body: bulkBody(n), headers: BULK_HEADERS });
}

describe('fault proxy', () => {
  const seen: Seen[] = [];
  let fake: { server: Server; url: string };
  let proxy: FaultProxy;

  beforeAll(async () => {
    fake = await startFakeEs(seen);
    proxy = await startFaultProxy(fake.url);
  });

  afterEach(() => {
    proxy.clear();
    seen.length = 0;
  });

  afterAll(async () => {
    await proxy.close();
    agent.destroy();
    await new Promise((resolve) => fake.server.close(resolve));
  });

  it('passes requests through unchanged, including the x-elastic-product header and gzip bodies', async () => {
    const reply = await send(proxy.url, '/events/_search?q=a%20b', {
      method: 'POST',
      body: gzipSync('{"query":{}}'),
      headers: { 'content-encoding': 'gzip', 'accept-encoding': 'gzip', 'x-custom': 'kept' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(reply.body)).toEqual({ path: '/events/_search?q=a%20b' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.body).toBe('{"query":{}}');
    expect(seen[0]?.headers['x-custom']).toBe('kept');
    expect(seen[0]?.headers.host).toBe(new URL(fake.url).host);
  });

  it('answers a status fault itself with an ES-style error and Retry-After, without forwarding', async () => {
    proxy.inject({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    const before = proxy.stats;
    const reply = await postBulk(proxy.url, 2);
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('7');
    expect(JSON.parse(reply.body)).toEqual({
      error: { type: 'es_rejected_execution_exception', reason: 'injected' },
      status: 429,
    });
    expect(seen).toHaveLength(0);
    expect(proxy.stats.faulted - before.faulted).toBe(1);
  });

  it('applies a fault only to bulk requests by default, and to everything with match all', async () => {
    proxy.inject({ kind: 'status', status: 503 });
    expect((await send(proxy.url, '/_cluster/health')).status).toBe(200);
    expect((await postBulk(proxy.url, 1)).status).toBe(503);
    proxy.inject({ kind: 'status', status: 503 }, { match: 'all' });
    expect((await send(proxy.url, '/_cluster/health')).status).toBe(503);
  });

  it('counts `times` down and passes requests through once it is used up', async () => {
    proxy.inject({ kind: 'status', status: 500 }, { times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postBulk(proxy.url, 1)).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(seen).toHaveLength(2);
  });

  it('counts requests, bulk requests and faulted requests', async () => {
    const before = proxy.stats;
    proxy.inject({ kind: 'status', status: 500 }, { times: 1 });
    await postBulk(proxy.url, 1);
    await postBulk(proxy.url, 1);
    await send(proxy.url, '/');
    const after = proxy.stats;
    expect(after.requests - before.requests).toBe(3);
    expect(after.bulkRequests - before.bulkRequests).toBe(2);
    expect(after.faulted - before.faulted).toBe(1);
  });

  it('forwards a delayed request at once but holds the answer for the delay', async () => {
    proxy.inject({ kind: 'delay', ms: 400 });
    const started = Date.now();
    const pending = postBulk(proxy.url, 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen).toHaveLength(1);
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('resets the connection before forwarding on reset-before, so ES never sees the request', async () => {
    proxy.inject({ kind: 'reset-before' }, { times: 1 });
    await expect(postBulk(proxy.url, 1)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toHaveLength(0);
    expect((await postBulk(proxy.url, 1)).status).toBe(200);
  });

  it('forwards, then resets the connection on reset-after, so ES applied a write the client never saw', async () => {
    proxy.inject({ kind: 'reset-after' }, { times: 1 });
    await expect(postBulk(proxy.url, 3)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.body.split('\n').filter((l) => l !== '')).toHaveLength(6);
  });

  it('drops every Nth bulk action and splices 429 items into the answer in order', async () => {
    proxy.inject({ kind: 'bulk-item-429', every: 2 });
    const reply = await postBulk(proxy.url, 5);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(reply.body));

    const forwarded = seen[0];
    expect(forwarded?.headers['content-encoding']).toBeUndefined();
    expect(forwarded?.headers['accept-encoding']).toBeUndefined();
    const sentIds = forwarded?.body
      .split('\n')
      .filter((l, i) => l !== '' && i % 2 === 0)
      .map((l) => (JSON.parse(l) as { create: { _id: string } }).create._id);
    expect(sentIds).toEqual(['d1', 'd3', 'd5']);

    const answer = JSON.parse(reply.body) as {
      errors: boolean;
      items: { create: { _id: string; _index: string; status: number; error?: { type: string } } }[];
    };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((i) => [i.create._id, i.create.status])).toEqual([
      ['d1', 201],
      ['d2', 429],
      ['d3', 201],
      ['d4', 429],
      ['d5', 201],
    ]);
    expect(answer.items[1]?.create).toEqual({
      _index: 'events',
      _id: 'd2',
      status: 429,
      error: { type: 'es_rejected_execution_exception', reason: 'injected' },
    });
  });

  it('answers a bulk whose every action is rejected itself, since ES refuses an empty bulk', async () => {
    proxy.inject({ kind: 'bulk-item-429', every: 1 }, { times: 1 });
    const reply = await postBulk(proxy.url, 2);
    expect(seen).toHaveLength(0);
    const answer = JSON.parse(reply.body) as { errors: boolean; items: { create: { status: number } }[] };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((i) => i.create.status)).toEqual([429, 429]);
  });

  it('serves concurrent requests on keep-alive connections', async () => {
    proxy.inject({ kind: 'delay', ms: 100 });
    const replies = await Promise.all(Array.from({ length: 12 }, () => postBulk(proxy.url, 1)));
    expect(replies.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(seen).toHaveLength(12);
  });

  it('answers 502 when the target is down', async () => {
    const dead = await startFaultProxy('http://127.0.0.1:1');
    try {
      const reply = await send(dead.url, '/_bulk', {
        method: 'POST',
        body: bulkBody(1),
        headers: BULK_HEADERS,
      });
      expect(reply.status).toBe(502);
      expect(reply.body).toContain('ECONNREFUSED');
    } finally {
      await dead.close();
    }
  });
});
