import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

/** Paths of a self-signed certificate for 127.0.0.1 and its key, written by `openssl` into `dir`. */
export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Writes a one-day self-signed RSA certificate for `127.0.0.1` (CN and IP SAN) into `dir`. */
export function selfSignedCert(dir: string): SelfSigned {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      ...subject,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

/**
 * A loopback web UI for `gax setup` tests: `handle` served over plain http and over https with
 * a self-signed server certificate that requires a client certificate (signed by `clientCert`),
 * the client certificates' CNs recorded in `clientCertsSeen`. `dir` holds the certificates.
 */
export interface HttpAndMtls {
  readonly url: string;
  readonly tlsUrl: string;
  readonly dir: string;
  readonly serverCert: SelfSigned;
  readonly clientCert: SelfSigned;
  readonly clientCertsSeen: (string | undefined)[];
  close(): Promise<void>;
}

export async function startHttpAndMtls(handle: RequestListener, name: string): Promise<HttpAndMtls> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = await mkdtemp(join(tmpdir(), `gax-${name}-tls-`));
  await mkdir(join(dir, 'server'));
  await mkdir(join(dir, 'client'));
  const serverCert = selfSignedCert(join(dir, 'server'));
  const clientCert = selfSignedCert(join(dir, 'client'));
  const clientCertsSeen: (string | undefined)[] = [];
  const tlsServer = createHttpsServer(
    {
      cert: await readFile(serverCert.certFile),
      key: await readFile(serverCert.keyFile),
      ca: await readFile(clientCert.certFile),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
      clientCertsSeen.push(Array.isArray(cn) ? cn.join(',') : cn);
      handle(req, res);
    },
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const port = (s: Server) => (s.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port(server)}`,
    tlsUrl: `https://127.0.0.1:${port(tlsServer)}`,
    dir,
    serverCert,
    clientCert,
    clientCertsSeen,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => tlsServer.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
