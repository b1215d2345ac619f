import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { listenOnLoopback } from './loopback.js';

/**
 * A loopback reverse proxy between an Elasticsearch client and a node that injects the failures
 * real clusters produce — whole-request rejections, slow answers, dropped connections before and
 * after ES applied a write, and per-item 429s inside an otherwise successful bulk response — so
 * tests can prove the exporter neither loses nor duplicates events. Requests and responses are
 * buffered whole (test traffic is small), which keeps every fault deterministic.
 */

/** What to do to a matching request. */
export type Fault =
  /** Answer with `status` and an ES-style error body; ES never sees the request. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /**
   * Forward; hold ES's complete answer for `ms` before sending it (the write is applied early).
   * `during`, if given, runs once ES has answered (e.g. a rollover between a write and its
   * resend); requests arriving after this one wait until it settles before they are forwarded.
   */
  | { kind: 'delay'; ms: number; during?: () => Promise<void> }
  /** Reset the client connection once the request is read; ES never sees it. */
  | { kind: 'reset-before' }
  /** Forward, wait for ES's full answer, then reset the client connection: applied, never acked. */
  | { kind: 'reset-after' }
  /**
   * Bulk only: drop every `every`-th action (1-based) before forwarding and splice a 429 item
   * for each into ES's answer at its position, with `errors: true`. Requests using `filter_path`
   * are not supported (ES would no longer return one item per action).
   */
  | { kind: 'bulk-item-429'; every: number };

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at ES. */
  readonly url: string;
  /**
   * Fault for the next `times` matching requests (default: until cleared). `match` defaults to
   * bulk requests only (path ends with /_bulk). Replaces any earlier injection.
   */
  inject(fault: Fault, options?: { times?: number; match?: 'bulk' | 'all' }): void;
  /** Back to plain passthrough. */
  clear(): void;
  /** Counters since start: all requests, bulk requests, requests a fault was applied to. */
  readonly stats: { requests: number; bulkRequests: number; faulted: number };
  /** Stops listening and destroys every client and upstream connection. */
  close(): Promise<void>;
}

interface Injection {
  readonly fault: Fault;
  readonly match: 'bulk' | 'all';
  remaining: number | undefined;
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface BulkAction {
  /** The action and (except for delete) source line. */
  readonly lines: readonly string[];
  readonly op: string;
  readonly index: string | undefined;
  readonly id: string | undefined;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'te', 'upgrade'];

function esError(status: number, type: string, reason: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { type, reason }, status }));
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | string[] | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === undefined || encoding === 'identity') return body;
  throw new Error(`unsupported content-encoding ${String(encoding)}`);
}

function isBulkPath(url: string): boolean {
  return (url.split('?')[0] ?? '').endsWith('/_bulk');
}

/** Splits an NDJSON bulk body into actions; `defaultIndex` comes from a `/{index}/_bulk` path. */
function parseBulk(body: string, defaultIndex: string | undefined): BulkAction[] {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  const actions: BulkAction[] = [];
  for (let i = 0; i < lines.length; ) {
    const actionLine = lines[i] as string;
    const action = JSON.parse(actionLine) as Record<string, { _index?: string; _id?: string }>;
    const op = Object.keys(action)[0] ?? 'index';
    const meta = action[op] ?? {};
    const size = op === 'delete' ? 1 : 2;
    actions.push({ lines: lines.slice(i, i + size), op, index: meta._index ?? defaultIndex, id: meta._id });
    i += size;
  }
  return actions;
}

function rejectedItem(action: BulkAction): Record<string, unknown> {
  return {
    [action.op]: {
      _index: action.index,
      ...(action.id === undefined ? {} : { _id: action.id }),
      status: 429,
      error: { type: 'es_rejected_execution_exception', reason: 'injected' },
    },
  };
}

/** Starts the proxy on a free 127.0.0.1 port, forwarding to `target` (e.g. `http://127.0.0.1:9200`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const prefix = upstream.pathname.replace(/\/$/, '');
  const agent = new Agent({ keepAlive: true });
  const timers = new Set<NodeJS.Timeout>();
  const counters = { requests: 0, bulkRequests: 0, faulted: 0 };
  let injection: Injection | undefined;
  /** A `delay` fault's `during` in progress: later requests wait for it. */
  let gate: Promise<void> = Promise.resolve();

  /** The fault for this request, if any, counting down `times`. */
  const take = (bulk: boolean): Fault | undefined => {
    if (injection === undefined) return undefined;
    if (!bulk && (injection.match === 'bulk' || injection.fault.kind === 'bulk-item-429')) return undefined;
    const { fault } = injection;
    if (injection.remaining !== undefined) {
      injection.remaining -= 1;
      if (injection.remaining <= 0) injection = undefined;
    }
    counters.faulted += 1;
    return fault;
  };

  const forward = (req: IncomingMessage, headers: OutgoingHttpHeaders, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          agent,
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: `${prefix}${req.url ?? '/'}`,
          headers: { ...headers, host: upstream.host },
        },
        (res) => {
          readBody(res).then(
            (resBody) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: resBody }),
            reject,
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const later = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const send = (req: IncomingMessage, res: ServerResponse, answer: Upstream): void => {
    if (res.destroyed) return;
    const headers = withoutHopByHop(answer.headers);
    if (req.method !== 'HEAD') headers['content-length'] = answer.body.length;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const passthrough = async (req: IncomingMessage, body: Buffer): Promise<Upstream> => {
    const headers = withoutHopByHop(req.headers);
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)
      headers['content-length'] = body.length;
    return forward(req, headers, body);
  };

  /** Forwards the bulk request minus every `every`-th action and splices 429 items into the answer. */
  const bulkItem429 = async (req: IncomingMessage, raw: Buffer, every: number): Promise<Upstream> => {
    const defaultIndex = /^\/([^/]+)\/_bulk/.exec(req.url ?? '')?.[1];
    const actions = parseBulk(decode(raw, req.headers['content-encoding']).toString('utf8'), defaultIndex);
    const dropped = (i: number): boolean => (i + 1) % every === 0;
    const kept = actions.filter((_, i) => !dropped(i));
    let answer: Upstream = {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
      body: Buffer.from(JSON.stringify({ took: 0, errors: false, items: [] })),
    };
    if (kept.length > 0) {
      const body = Buffer.from(`${kept.flatMap((a) => a.lines).join('\n')}\n`);
      const headers = withoutHopByHop(req.headers);
      delete headers['content-encoding'];
      delete headers['accept-encoding'];
      headers['content-length'] = body.length;
      answer = await forward(req, headers, body);
    }
    if (answer.status !== 200) return answer;
    const parsed = JSON.parse(decode(answer.body, answer.headers['content-encoding']).toString('utf8')) as {
      items: unknown[];
    };
    const esItems = parsed.items[Symbol.iterator]();
    const items = actions.map((action, i) => (dropped(i) ? rejectedItem(action) : esItems.next().value));
    const headers = { ...answer.headers };
    delete headers['content-encoding'];
    const body = Buffer.from(JSON.stringify({ ...parsed, errors: true, items }));
    return { status: 200, headers, body };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    await gate;
    const bulk = isBulkPath(req.url ?? '');
    counters.requests += 1;
    if (bulk) counters.bulkRequests += 1;
    const fault = take(bulk);
    switch (fault?.kind) {
      case undefined:
        return send(req, res, await passthrough(req, body));
      case 'status': {
        const headers: IncomingHttpHeaders = {
          'content-type': 'application/json',
          'x-elastic-product': 'Elasticsearch',
        };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        const reason = esError(fault.status, 'es_rejected_execution_exception', 'injected');
        return send(req, res, { status: fault.status, headers, body: reason });
      }
      case 'delay': {
        const { during } = fault;
        const applied = passthrough(req, body);
        if (during !== undefined) {
          // Requests arriving from now on wait until ES has answered and `during` has run.
          gate = applied.then(during).then(
            () => undefined,
            () => undefined,
          );
          await gate;
        }
        const answer = await applied;
        await later(fault.ms);
        return send(req, res, answer);
      }
      case 'reset-before':
        req.socket.resetAndDestroy();
        return;
      case 'reset-after':
        await passthrough(req, body);
        req.socket.resetAndDestroy();
        return;
      case 'bulk-item-429':
        return send(req, res, await bulkItem429(req, body, fault.every));
    }
  };

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const reason = esError(502, 'fault_proxy_exception', (error as Error).message);
      send(req, res, { status: 502, headers: { 'content-type': 'application/json' }, body: reason });
    });
  });
  const listener = await listenOnLoopback(server);
  const { port } = listener;

  return {
    url: `http://127.0.0.1:${port}`,
    inject: (fault, options = {}) => {
      injection = { fault, match: options.match ?? 'bulk', remaining: options.times };
    },
    clear: () => {
      injection = undefined;
    },
    get stats() {
      return { ...counters };
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      agent.destroy();
      await listener.close();
    },
  };
}
