/**
 * Mutual TLS to Elasticsearch: a loopback HTTPS receiver that answers like Elasticsearch and
 * requires a client certificate signed by its own CA. The plugin indexes with `tls.certFile` and
 * `keyFile`, is refused without them, and warns at start when verification is turned off.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElasticsearchConfig } from '../../../plugins/elasticsearch/config.js';
import { create as createElasticsearch } from '../../../plugins/elasticsearch/plugin.js';
import { esDefaults } from '../../../plugins/elasticsearch/setup/section.js';
import { testEvent } from '../../doubles/plugins.js';
import { type SelfSigned, selfSignedCert } from '../../helpers/tls.js';

let dir: string;
let server: Server;
let url: string;
let serverCert: SelfSigned;
let clientCert: SelfSigned;
const clients: (string | undefined)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-es-mtls-'));
  await mkdir(join(dir, 'server'));
  await mkdir(join(dir, 'client'));
  serverCert = selfSignedCert(join(dir, 'server'));
  clientCert = selfSignedCert(join(dir, 'client'));
  const options = {
    cert: await readFile(serverCert.certFile),
    key: await readFile(serverCert.keyFile),
    requestCert: true,
    rejectUnauthorized: true,
    ca: await readFile(clientCert.certFile),
  };
  server = createServer(options, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      clients.push((req.socket as TLSSocket).getPeerCertificate().subject?.CN?.toString());
      const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
      if (req.url?.split('?')[0] === '/_bulk') {
        const items = [{ create: { status: 201 } }, { create: { status: 201 } }];
        return res.writeHead(200, headers).end(JSON.stringify({ errors: false, items }));
      }
      res.writeHead(200, headers).end('{"acknowledged":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  await rm(dir, { recursive: true, force: true });
});

async function send(tls: ElasticsearchConfig['tls'], lines: string[] = []) {
  const config = { ...esDefaults({ node: url }), tls, templates: { install: false } };
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const plugin = createElasticsearch(config, {
    id: 'elasticsearch',
    logger,
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

describe('elasticsearch mutual TLS', () => {
  it('indexes with the client certificate the cluster requires', async () => {
    const results = await send({
      caFile: serverCert.certFile,
      certFile: clientCert.certFile,
      keyFile: clientCert.keyFile,
      rejectUnauthorized: true,
    });
    expect(results).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    expect(clients).toContain('127.0.0.1');
  });

  it('is refused without a client certificate, and retries rather than losing the batch', async () => {
    const results = await send({ caFile: serverCert.certFile, rejectUnauthorized: true });
    expect(results.map((r) => r.status)).toEqual(['retryable', 'retryable']);
  });

  it('warns at every start when certificate verification is off', async () => {
    const lines: string[] = [];
    const results = await send(
      { certFile: clientCert.certFile, keyFile: clientCert.keyFile, rejectUnauthorized: false },
      lines,
    );
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; code?: string });
    expect(warnings).toContainEqual(expect.objectContaining({ level: 40, code: 'GAX_ERR_TLS_INSECURE' }));
  });
});
