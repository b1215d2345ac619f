import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { GaxError } from '../errors.js';
import { type ExpositionFormat, writeExposition } from './exposition.js';
import { OPENMETRICS_CONTENT_TYPE } from './openmetrics.js';

/** The body of `/readyz`: ready or not, and each check with its state. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  /** Required on `/metrics` when set; `/healthz` and `/readyz` stay open for probes. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Serve HTTPS with this PEM certificate and key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly registry: Registry;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The daemon's HTTP endpoints: `/healthz` (alive: the process answers), `/readyz` (ready to
 * do its job, with a JSON body naming each check), `/metrics` (Prometheus text format).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(options, req, res).catch((err: unknown) => {
      options.logger.error({ err, url: req.url }, 'HTTP handler failed.');
      // Part of a streamed /metrics body is out: cut the connection, a truncated body must not
      // look like a whole one.
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    });
  };
  const server =
    options.tls === undefined
      ? createServer(handler)
      : createTlsServer(
          { cert: await readFile(options.tls.certFile), key: await readFile(options.tls.keyFile) },
          handler,
        );
  server.keepAliveTimeout = 65_000;
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${address.port}`,
    close: () => close(server),
  };
}

async function handle(options: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  switch (path) {
    case '/healthz':
      return json(res, 200, { status: 'ok' });
    case '/readyz': {
      const readiness = options.readiness();
      return json(res, readiness.ready ? 200 : 503, readiness);
    }
    case '/metrics': {
      if (options.basicAuth !== undefined && !authorised(req, options.basicAuth)) {
        res
          .writeHead(401, { 'www-authenticate': 'Basic realm="gax"', 'content-type': 'text/plain' })
          .end('unauthorised\n');
        return;
      }
      const om = wantsOpenMetrics(req);
      const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      res.writeHead(200, {
        'content-type': om ? OPENMETRICS_CONTENT_TYPE : options.registry.contentType,
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      return sendMetrics(options.registry, res, om ? 'openmetrics' : 'prometheus', gzip);
    }
    case '/':
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end('gateway-analytics-exporter: see /metrics, /healthz, /readyz\n');
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

/**
 * Streams the exposition (src/http/exposition.ts: one family at a time, never the whole body in
 * memory), through gzip when asked. Rejects if rendering fails, with part of the body sent.
 */
async function sendMetrics(
  registry: Registry,
  res: ServerResponse,
  format: ExpositionFormat,
  gzip: boolean,
): Promise<void> {
  if (!gzip) {
    if (await writeExposition(registry, res, format)) res.end();
    return;
  }
  const zip = createGzip();
  const sent = pipeline(zip, res);
  try {
    if (await writeExposition(registry, zip, format)) zip.end();
  } catch (err) {
    zip.destroy();
    await sent.catch(() => undefined);
    throw err;
  }
  // The scraper going away mid-body is not our failure.
  await sent.catch(() => undefined);
}

/** Prometheus asks for OpenMetrics first in its Accept header when it can read it. */
function wantsOpenMetrics(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('application/openmetrics-text');
}

function authorised(req: IncomingMessage, expected: { username: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const given = Buffer.from(header.slice(6), 'base64');
  const wanted = Buffer.from(`${expected.username}:${expected.password}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new GaxError('GAX_ERR_SERVER_LISTEN', `cannot listen on ${host}:${port}: ${err.message}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
