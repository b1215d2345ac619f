import { Agent, request } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ClientTls } from './client-tls.js';

/** The `fetch` signature API clients accept as an option. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A `fetch` over `https` with its own Agent; `close` ends its kept-alive connections. */
export interface AgentFetch {
  readonly fetch: FetchLike;
  close(): void;
}

const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * `fetch` for `https://` URLs through a `node:https` Agent with this CA, client certificate and
 * verification: Node 20's global fetch (undici) takes none of them without a dependency on
 * undici itself. Plain `http://` URLs go to the global fetch. Failures reject like fetch does: a
 * TypeError('fetch failed') whose `cause` is the socket or TLS error (its `code` names it); an
 * abort rejects with the signal's reason.
 */
export function agentFetch(tls: ClientTls, options: { keepAlive?: boolean } = {}): AgentFetch {
  const agent = new Agent({ keepAlive: options.keepAlive ?? true, ...tls });
  const send: FetchLike = async (url, init) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') return fetch(url, init);
    const req = new Request(url, init);
    const body = req.body === null ? undefined : Buffer.from(await req.arrayBuffer());
    const headers: Record<string, string> = Object.fromEntries(req.headers);
    if (body !== undefined) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const outgoing = request(target, { method: req.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
              responseHeaders.append(name, v);
            }
          }
          try {
            const raw = decode(Buffer.concat(chunks), res.headers['content-encoding']);
            resolve(new Response(NO_BODY.has(status) ? null : raw, { status, headers: responseHeaders }));
          } catch (err) {
            reject(new TypeError('fetch failed', { cause: err }));
          }
        });
      });
      const onAbort = (): void => {
        outgoing.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new TypeError('fetch failed', { cause: err }));
      });
      outgoing.end(body);
    });
  };
  return { fetch: send, close: () => agent.destroy() };
}

/** The body as fetch would give it: decompressed per `content-encoding`. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}
