import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { GaxError } from '../errors.js';

const gzipAsync = promisify(gzip);

/** The body of `/readyz`: ready or not, and each check with its state. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
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
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      options.logger.error({ err, url: req.url }, 'HTTP handler failed.');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
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
      const body = await options.registry.metrics();
      const headers: Record<string, string> = { 'content-type': options.registry.contentType };
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        headers['content-encoding'] = 'gzip';
        res.writeHead(200, headers).end(await gzipAsync(body));
        return;
      }
      res.writeHead(200, headers).end(body);
      return;
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
