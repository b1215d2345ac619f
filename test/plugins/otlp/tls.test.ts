/**
 * The OTLP client over TLS: an `https://` receiver with a self-signed CA is trusted through
 * `tls.caFile`, refused without it (with the cause and the fix), and a client certificate is
 * presented when the receiver requires one.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpClient } from '../../../plugins/otlp/client.js';
import type { OtlpConfig } from '../../../plugins/otlp/config.js';
import { OtlpConfigSchema } from '../../../plugins/otlp/index.js';
import { type SelfSigned, selfSignedCert } from '../../helpers/tls.js';

let dir: string;
let serverCert: SelfSigned;
let clientCert: SelfSigned;
const closers: (() => void)[] = [];

/** An HTTPS OTLP stand-in answering 200; the client certificate's CN of each request. */
async function receiver(clientCa?: string): Promise<{ url: string; peers: (string | undefined)[] }> {
  const peers: (string | undefined)[] = [];
  const server = createServer(
    {
      cert: await readFile(serverCert.certFile),
      key: await readFile(serverCert.keyFile),
      ...(clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: clientCa }),
    },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        peers.push((req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN?.toString());
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, peers };
}

async function exportTo(url: string, tls: OtlpConfig['tls']) {
  const config: OtlpConfig = {
    ...(Value.Default(OtlpConfigSchema, {}) as OtlpConfig),
    endpoint: url,
    requestTimeoutMs: 5000,
    ...(tls === undefined ? {} : { tls }),
  };
  const client = await OtlpClient.open(config);
  try {
    return await client.export('logs', new Uint8Array(), new AbortController().signal);
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-otlp-tls-'));
  await mkdir(join(dir, 'server'));
  await mkdir(join(dir, 'client'));
  serverCert = selfSignedCert(join(dir, 'server'));
  clientCert = selfSignedCert(join(dir, 'client'));
});
afterAll(async () => {
  for (const close of closers) close();
  await rm(dir, { recursive: true, force: true });
});

describe('otlp TLS', () => {
  it('trusts the receiver through tls.caFile', async () => {
    const r = await receiver();
    const outcome = await exportTo(r.url, { caFile: serverCert.certFile, rejectUnauthorized: true });
    expect(outcome.status).toBe(200);
    expect(r.peers).toHaveLength(1);
  });

  it('refuses an untrusted receiver without a CA, naming the cause and the fix', async () => {
    const r = await receiver();
    const outcome = await exportTo(r.url, undefined);
    expect(outcome.status).toBeUndefined();
    expect(outcome.message).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(outcome.message).toContain('tls.caFile');
    expect(r.peers).toEqual([]);
  });

  it('presents the client certificate a receiver requires', async () => {
    const r = await receiver(await readFile(clientCert.certFile, 'utf8'));
    const outcome = await exportTo(r.url, {
      caFile: serverCert.certFile,
      certFile: clientCert.certFile,
      keyFile: clientCert.keyFile,
      rejectUnauthorized: true,
    });
    expect(outcome.status).toBe(200);
    expect(r.peers).toEqual([expect.any(String)]);
  });
});
