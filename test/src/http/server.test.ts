import { gunzipSync } from 'node:zlib';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type Readiness, type RunningServer, startServer } from '../../../src/http/server.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

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
});
