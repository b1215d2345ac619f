/**
 * What the Elasticsearch plugin puts on the wire, against a loopback HTTPS receiver that answers
 * like Elasticsearch (`x-elastic-product` on every response): TLS verified with a CA file or a
 * CA fingerprint, API key and basic credentials, gzip bodies, the bulk NDJSON it built, and a
 * refusal of an unverifiable certificate. (The real Elasticsearch tests run without security.)
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ElasticsearchConfig } from '../../../plugins/elasticsearch/config.js';
import { create as createElasticsearch } from '../../../plugins/elasticsearch/plugin.js';
import { esDefaults } from '../../../plugins/elasticsearch/setup/section.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { testEvent } from '../../doubles/plugins.js';
import { selfSignedCert } from '../../helpers/tls.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let dir: string;
let server: Server;
let url: string;
let caFile: string;
let fingerprint: string;
let seen: Seen[] = [];

const pathOf = (requestUrl: string): string => requestUrl.split('?')[0] ?? '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-es-tls-'));
  const { certFile, keyFile } = selfSignedCert(dir);
  caFile = certFile;
  const cert = await readFile(caFile, 'utf8');
  fingerprint = new X509Certificate(cert).fingerprint256;
  server = createServer({ cert, key: await readFile(keyFile, 'utf8') }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
      if (req.method === 'GET') return res.writeHead(404, headers).end('{"component_templates":[]}');
      if (pathOf(req.url ?? '') === '/_bulk') {
        const docs = body.trim().split('\n').length / 2;
        const items = Array.from({ length: docs }, () => ({ create: { status: 201 } }));
        return res.writeHead(200, headers).end(JSON.stringify({ errors: false, items }));
      }
      res.writeHead(200, headers).end('{"acknowledged":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

async function send(overrides: Partial<ElasticsearchConfig>) {
  const config = { ...esDefaults({ node: url }), ...overrides };
  const plugin = createElasticsearch(config, {
    id: 'elasticsearch',
    logger: silentLogger(),
    registry: new Registry(),
    stateDir: dir,
  });
  await plugin.start(new AbortController().signal);
  try {
    return await plugin.send([testEvent(1), testEvent(2)], new AbortController().signal);
  } finally {
    await plugin.stop(Date.now() + 1000);
  }
}

describe('elasticsearch transport', () => {
  it('verifies the server with a CA file, sends the API key, and gzips the bulk body it built', async () => {
    const results = await send({ tls: { caFile, rejectUnauthorized: true }, auth: { apiKey: 'aWQ6a2V5' } });
    expect(results).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    const bulk = seen.find((s) => pathOf(s.url) === '/_bulk');
    expect(bulk?.headers.authorization).toBe('ApiKey aWQ6a2V5');
    expect(bulk?.headers['content-encoding']).toBe('gzip');
    // The answer is cut to what classify reads; `status` keeps one item per action.
    const filter = new URL(bulk?.url ?? '', url).searchParams.get('filter_path')?.split(',');
    expect(filter).toEqual(['items.*.status', 'items.*._index', 'items.*.error']);
    expect(bulk?.body.split('\n')[0]).toBe(
      '{"create":{"_index":"apim_event_response","_id":"response:corr-1"}}',
    );
    expect(seen.filter((s) => s.method === 'PUT').map((s) => s.url)).toEqual([
      '/_component_template/apim_event-mappings',
      '/_component_template/apim_event-settings',
      '/_index_template/apim_event_response',
      '/_index_template/apim_event_faulty',
    ]);
  });

  it('verifies the server by CA fingerprint and sends basic credentials', async () => {
    const results = await send({
      tls: { caFingerprint: fingerprint, rejectUnauthorized: true },
      auth: { username: 'gax', password: 's3cret' },
      compression: false,
    });
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    const bulk = seen.find((s) => pathOf(s.url) === '/_bulk');
    expect(bulk?.headers.authorization).toBe(`Basic ${Buffer.from('gax:s3cret').toString('base64')}`);
    expect(bulk?.headers['content-encoding']).toBeUndefined();
    expect(bulk?.body.split('\n')[2]).toBe(
      '{"create":{"_index":"apim_event_response","_id":"response:corr-2"}}',
    );
  });

  it('refuses a server whose CA has another fingerprint', async () => {
    const other = fingerprint.replace(/^[0-9A-F]{2}/, (h) => (h === '00' ? '01' : '00'));
    const results = await send({ tls: { caFingerprint: other, rejectUnauthorized: true } });
    expect(results.map((r) => r.status)).toEqual(['retryable', 'retryable']);
    expect(seen).toEqual([]);
  });

  it('refuses a server whose certificate it cannot verify, and retries rather than losing the batch', async () => {
    const results = await send({ tls: { rejectUnauthorized: true } });
    expect(results.map((r) => r.status)).toEqual(['retryable', 'retryable']);
    expect(seen).toEqual([]);
  });
});
