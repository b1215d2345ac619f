/**
 * The Datadog client over TLS the operator configures, against loopback HTTPS receivers with a
 * self-signed CA: trusted with `tls.caFile`, refused with a clear reason without it, a client
 * certificate presented when the server requires one, and the loud warning for
 * `rejectUnauthorized: false`.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { Value } from '@sinclair/typebox/value';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DdClient } from '../../../plugins/datadog/client.js';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { DatadogConfigSchema } from '../../../plugins/datadog/index.js';
import { create as createDatadog } from '../../../plugins/datadog/plugin.js';
import { type SelfSigned, selfSignedCert } from '../../helpers/tls.js';

interface Seen {
  readonly apiKey: string | undefined;
  readonly body: unknown;
  readonly clientCert: string | undefined;
}

interface Receiver {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

let dir: string;
let serverCert: SelfSigned;
let clientCert: SelfSigned;
const receivers: Receiver[] = [];

/** An HTTPS stand-in for Datadog's intake: 202 `{"errors":[]}`; requires a client certificate when `clientCa` is given. */
async function receiver(clientCa?: string): Promise<Receiver> {
  const seen: Seen[] = [];
  const options = {
    cert: await readFile(serverCert.certFile),
    key: await readFile(serverCert.keyFile),
    ...(clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: clientCa }),
  };
  const server: Server = createServer(options, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      seen.push({
        apiKey: req.headers['dd-api-key'] as string | undefined,
        body: JSON.parse(text) as unknown,
        clientCert: peer?.subject?.CN?.toString(),
      });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"errors":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const r = {
    url: `https://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  receivers.push(r);
  return r;
}

const series = {
  series: [
    { metric: 'apim.requests', type: 1, points: [{ timestamp: Math.floor(Date.now() / 1000), value: 1 }] },
  ],
};

async function submit(url: string, tls: DatadogConfig['tls']) {
  const client = await DdClient.open({
    apiKey: 'dd-test-key',
    site: 'datadoghq.com',
    url,
    requestTimeoutMs: 5000,
    ...(tls === undefined ? {} : { tls }),
  });
  try {
    return await client.submitSeries(series as never, new AbortController().signal);
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-dd-tls-'));
  await mkdir(join(dir, 'server'));
  await mkdir(join(dir, 'client'));
  serverCert = selfSignedCert(join(dir, 'server'));
  clientCert = selfSignedCert(join(dir, 'client'));
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('datadog TLS', () => {
  it('trusts the server through tls.caFile and sends the series with the API key', async () => {
    const r = await receiver();
    const outcome = await submit(r.url, { caFile: serverCert.certFile, rejectUnauthorized: true });
    expect(outcome).toEqual({ status: 202, message: 'ok' });
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]?.apiKey).toBe('dd-test-key');
    expect(r.seen[0]?.body).toMatchObject({ series: [{ metric: 'apim.requests' }] });
  });

  it('refuses an untrusted server without a CA, naming the cause and the fix', async () => {
    const r = await receiver();
    for (const tls of [undefined, { rejectUnauthorized: true }]) {
      const outcome = await submit(r.url, tls);
      expect(outcome.status).toBeUndefined();
      expect(outcome.message).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
      expect(outcome.message).toContain('give its CA with tls.caFile');
    }
    expect(r.seen).toEqual([]);
  });

  it('presents the client certificate a server requires, and fails without it', async () => {
    const r = await receiver(await readFile(clientCert.certFile, 'utf8'));
    const withCert = await submit(r.url, {
      caFile: serverCert.certFile,
      certFile: clientCert.certFile,
      keyFile: clientCert.keyFile,
      rejectUnauthorized: true,
    });
    expect(withCert.status).toBe(202);
    expect(r.seen[0]?.clientCert).toBe('127.0.0.1');
    const without = await submit(r.url, { caFile: serverCert.certFile, rejectUnauthorized: true });
    expect(without.status).toBeUndefined();
    expect(r.seen).toHaveLength(1);
  });

  it('names the TLS file it cannot read', async () => {
    await expect(
      submit('https://127.0.0.1:1', { caFile: join(dir, 'missing.pem'), rejectUnauthorized: true }),
    ).rejects.toThrow(`cannot read plugins.datadog.tls.caFile ${join(dir, 'missing.pem')} (ENOENT)`);
  });

  it('connects without verification only when told, and warns at start that it does', async () => {
    const r = await receiver();
    expect((await submit(r.url, { rejectUnauthorized: false })).status).toBe(202);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const plugin = createDatadog(
      {
        ...(Value.Default(DatadogConfigSchema, {}) as DatadogConfig),
        enabled: true,
        apiKey: 'dd-test-key',
        url: r.url,
        tls: { rejectUnauthorized: false },
      },
      { id: 'datadog', logger, registry: new Registry(), stateDir: dir },
    );
    await plugin.start(new AbortController().signal);
    await plugin.stop(Date.now() + 1000);
    const warning = lines.map((l) => JSON.parse(l) as { level: number; code?: string }).find((l) => l.code);
    expect(warning).toMatchObject({ level: 40, code: 'GAX_ERR_TLS_INSECURE' });
  });
});
