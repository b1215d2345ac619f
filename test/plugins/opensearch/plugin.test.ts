/**
 * The OpenSearch plugin's send against a loopback `_bulk` endpoint: one result per document from
 * a mixed answer (only failed items retryable), a 413 split into halves, a request failure
 * classified for all its documents, and the gzipped NDJSON body as built.
 */
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { opensearchPlugin } from '../../../plugins/opensearch/index.js';
import { osBulkLines } from '../../../plugins/opensearch/mapping.js';
import { create } from '../../../plugins/opensearch/plugin.js';
import { defaultSection } from '../../../src/plugin/default-section.js';
import type { EventResult } from '../../../src/plugin/result.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { testEvent } from '../../doubles/plugins.js';
import { type LoopbackListener, listenOnLoopback } from '../../helpers/loopback.js';

type Answer = (ndjson: string) => { status: number; body: unknown };

let listener: LoopbackListener;
let bodies: string[];
let paths: string[];
let answer: Answer;

beforeEach(async () => {
  bodies = [];
  paths = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.startsWith('/_component_template/') === true) {
        paths.push(req.url);
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { type: 'security_exception', reason: 'no permissions' }, status: 403 }),
        );
        return;
      }
      const raw = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      bodies.push(text);
      const { status, body } = answer(text);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  listener = await listenOnLoopback(server);
});

afterEach(async () => {
  await listener.close();
});

async function send(count: number, install = false): Promise<readonly EventResult[]> {
  const base = defaultSection(opensearchPlugin);
  const config = { ...base, node: `http://127.0.0.1:${listener.port}`, templates: { install } };
  const plugin = create(config, {
    id: 'opensearch',
    logger: silentLogger(),
    registry: new Registry(),
    stateDir: '/nonexistent',
  });
  await plugin.start(new AbortController().signal);
  try {
    const batch = Array.from({ length: count }, (_, i) => testEvent(i));
    return await plugin.send(batch, new AbortController().signal);
  } finally {
    await plugin.stop(1000);
  }
}

const items = (statuses: number[]) => ({
  took: 1,
  errors: true,
  items: statuses.map((status) => ({
    create: {
      status,
      _index: 'apim_event_response-2025-03-04',
      ...(status === 400
        ? { error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [apiName]' } }
        : status === 429
          ? { error: { type: 'opensearch_rejected_execution_exception', reason: 'queue full' } }
          : {}),
    },
  })),
});

describe('opensearch plugin send (loopback _bulk)', () => {
  it('gives one result per document: created and 409 delivered, 429 retryable, a mapping error rejected', async () => {
    answer = () => ({ status: 200, body: items([201, 409, 429, 400]) });
    const results = await send(4);
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered', 'retryable', 'rejected']);
    expect(results[3]).toMatchObject({
      reason: 'opensearch 400 mapper_parsing_exception: failed to parse field [apiName]',
    });
    const config = { indexPrefix: 'apim_event', indexMode: 'daily' } as const;
    expect(bodies).toEqual([[0, 1, 2, 3].map((i) => osBulkLines(testEvent(i), config)).join('')]);
  });

  it('splits a request answered 413 into halves and sends each', async () => {
    answer = (ndjson) => {
      const docs = ndjson.trim().split('\n').length / 2;
      return docs > 2
        ? { status: 413, body: { error: 'too large' } }
        : { status: 200, body: items(Array(docs).fill(201)) };
    };
    const results = await send(4);
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(bodies.map((b) => b.trim().split('\n').length / 2)).toEqual([4, 2, 2]);
  });

  it('retries every document of a request answered 503, and dead-letters those of a 400', async () => {
    answer = () => ({ status: 503, body: { error: { type: 'unavailable', reason: 'node shutting down' } } });
    expect((await send(3)).map((r) => r.status)).toEqual(['retryable', 'retryable', 'retryable']);
    answer = () => ({
      status: 400,
      body: { error: { type: 'illegal_argument_exception', reason: 'bad body' } },
    });
    const refused = await send(2);
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(refused[0]).toMatchObject({ reason: 'opensearch 400: illegal_argument_exception: bad body' });
  });

  it('makes every document retryable when the answer has the wrong number of items', async () => {
    answer = () => ({ status: 200, body: items([201]) });
    expect((await send(2)).map((r) => r.status)).toEqual(['retryable', 'retryable']);
  });

  it('indexes without templates when it may not install them (403, GAX_ERR_OS_TEMPLATES)', async () => {
    answer = (ndjson) => ({
      status: 200,
      body: items(Array(ndjson.trim().split('\n').length / 2).fill(201)),
    });
    const results = await send(2, true);
    expect(paths).toEqual(['/_component_template/apim_event-mappings']);
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
  });
});
