import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type Readiness, type RunningServer, startServer } from '../../../src/http/server.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { selfSignedCert } from '../../helpers/tls.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(readiness: Readiness): Promise<RunningServer> {
  const registry = new Registry();
  new Counter({ name: 'gax_test_total', help: 'A test counter.', registers: [registry] }).inc(3);
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    readiness: () => readiness,
    logger: silentLogger(),
  });
  return server;
}

describe('HTTP server', () => {
  it('answers /healthz while not ready', async () => {
    const s = await start({ ready: false, checks: { daemon: { ok: false, detail: 'starting' } } });
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 503 and the failing checks when not ready', async () => {
    const readiness = { ready: false, checks: { 'plugin:file': { ok: false, detail: 'not started' } } };
    const s = await start(readiness);
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual(readiness);
  });

  it('answers /readyz with 200 when ready', async () => {
    const s = await start({ ready: true, checks: {} });
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
  });

  it('serves metrics in Prometheus text format, gzipped when asked', async () => {
    const s = await start({ ready: true, checks: {} });
    const plain = await fetch(`${s.url}/metrics`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await plain.text()).toContain('gax_test_total 3');
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(`${s.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          expect(res.headers['content-encoding']).toBe('gzip');
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    expect(gunzipSync(raw).toString()).toContain('gax_test_total 3');
  });

  it('cuts the connection when a metric fails mid-exposition, so no scrape sees a partial body', async () => {
    const registry = new Registry();
    new Counter({ name: 'gax_test_total', help: 'A test counter.', registers: [registry] }).inc(3);
    new Gauge({
      name: 'gax_broken',
      help: 'Fails at scrape time.',
      registers: [registry],
      collect() {
        throw new Error('broken collect');
      },
    });
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      readiness: () => ({ ready: true, checks: {} }),
      logger: silentLogger(),
    });
    for (const encoding of ['identity', 'gzip']) {
      const scrape = fetch(`${server.url}/metrics`, { headers: { 'accept-encoding': encoding } });
      await expect(scrape.then((res) => res.text())).rejects.toThrow();
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers HEAD /metrics with the headers only', async () => {
    const s = await start({ ready: true, checks: {} });
    const res = await fetch(`${s.url}/metrics`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toBe('');
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const s = await start({ ready: true, checks: {} });
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('fails with GAX_ERR_SERVER_LISTEN when the port is taken', async () => {
    const s = await start({ ready: true, checks: {} });
    const port = Number(new URL(s.url).port);
    await expect(
      startServer({
        host: '127.0.0.1',
        port,
        registry: new Registry(),
        readiness: () => ({ ready: true, checks: {} }),
        logger: silentLogger(),
      }),
    ).rejects.toMatchObject({ code: 'GAX_ERR_SERVER_LISTEN' });
  });

  it('serves OpenMetrics when the scraper asks for it', async () => {
    const s = await start({ ready: true, checks: {} });
    const res = await fetch(`${s.url}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const body = await res.text();
    expect(body).toContain('gax_test_total 3');
    expect(body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('requires basic auth on /metrics only when configured', async () => {
    const registry = new Registry();
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      readiness: () => ({ ready: true, checks: {} }),
      logger: silentLogger(),
      basicAuth: { username: 'prom', password: 's3cret' },
    });
    const url = server.url;
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const wrong = `Basic ${Buffer.from('prom:nope').toString('base64')}`;
    expect((await fetch(`${url}/metrics`, { headers: { authorization: wrong } })).status).toBe(401);
    const right = `Basic ${Buffer.from('prom:s3cret').toString('base64')}`;
    expect((await fetch(`${url}/metrics`, { headers: { authorization: right } })).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('serves HTTPS with the configured certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gax-tls-'));
    try {
      selfSignedCert(dir);
      server = await startServer({
        host: '127.0.0.1',
        port: 0,
        registry: new Registry(),
        readiness: () => ({ ready: true, checks: {} }),
        logger: silentLogger(),
        tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
      });
      expect(server.url).toMatch(/^https:\/\//);
      const ca = await readFile(join(dir, 'cert.pem'));
      const status = await new Promise<number | undefined>((resolve, reject) => {
        httpsGet(`${server?.url}/healthz`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject);
      });
      expect(status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
