/**
 * A fake OpenSearch on loopback that answers as OpenSearch's template and ISM APIs do (the test
 * nodes have no ISM plugin: its zip is not on Maven Central; see plugins/opensearch/README.md,
 * "ISM"), and `_bulk` with a 201 per document. It records every request it is sent.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { type LoopbackListener, listenOnLoopback } from './loopback.js';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

interface StoredPolicy {
  policy: Record<string, unknown>;
  seqNo: number;
}

/** A fake OpenSearch: component/index templates and ISM policies kept in memory, as the APIs answer. */
export class FakeOpenSearch {
  readonly seen: Seen[] = [];
  readonly templates = new Map<string, unknown>();
  readonly policies = new Map<string, StoredPolicy>();
  ism = true;
  /** `_cat/plugins` answers 503 (the cluster is not ready yet). */
  catFails = false;
  #listener: LoopbackListener | undefined;

  get url(): string {
    return `http://127.0.0.1:${this.#listener?.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.#answer(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    this.#listener = await listenOnLoopback(server);
  }

  close(): Promise<void> {
    return this.#listener?.close() ?? Promise.resolve();
  }

  async #answer(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString();
    const body = text === '' || url.pathname === '/_bulk' ? undefined : (JSON.parse(text) as unknown);
    this.seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, body });
    const [, api, name] = url.pathname.split('/');
    if (url.pathname === '/_bulk') {
      const docs = (text.trim().split('\n').length / 2) | 0;
      return {
        status: 200,
        body: { errors: false, items: Array.from({ length: docs }, () => ({ create: { status: 201 } })) },
      };
    }
    if (url.pathname === '/_cat/plugins' && this.catFails)
      return { status: 503, body: { error: 'not ready', status: 503 } };
    if (url.pathname === '/_cat/plugins') {
      const rows = [{ component: 'opensearch-job-scheduler' }];
      return { status: 200, body: this.ism ? [...rows, { component: 'opensearch-index-management' }] : rows };
    }
    if (api === '_component_template' || api === '_index_template')
      return this.#template(req, api, name, body);
    if (url.pathname.startsWith('/_plugins/_ism/policies/')) {
      if (!this.ism) return { status: 400, body: { error: 'no handler found for uri', status: 400 } };
      return this.#policy(req.method ?? '', decodeURIComponent(url.pathname.split('/')[4] ?? ''), url, body);
    }
    return { status: 404, body: { error: { type: 'not_found' }, status: 404 } };
  }

  #template(req: IncomingMessage, api: string, name = '', body: unknown): { status: number; body: unknown } {
    const key = `${api}/${name}`;
    if (req.method === 'PUT') {
      this.templates.set(key, body);
      return { status: 200, body: { acknowledged: true } };
    }
    const stored = this.templates.get(key);
    if (stored === undefined)
      return { status: 404, body: { error: { type: 'resource_not_found_exception' }, status: 404 } };
    return api === '_component_template'
      ? { status: 200, body: { component_templates: [{ name, component_template: stored }] } }
      : { status: 200, body: { index_templates: [{ name, index_template: stored }] } };
  }

  #policy(method: string, id: string, url: URL, body: unknown): { status: number; body: unknown } {
    const stored = this.policies.get(id);
    if (method === 'GET') {
      if (stored === undefined)
        return {
          status: 404,
          body: { error: { type: 'status_exception', reason: 'Policy not found' }, status: 404 },
        };
      // As ISM answers: the stored policy with the fields it adds itself.
      const policy = {
        policy_id: id,
        last_updated_time: 1,
        schema_version: 21,
        error_notification: null,
        ...stored.policy,
      };
      return {
        status: 200,
        body: { _id: id, _version: stored.seqNo + 1, _seq_no: stored.seqNo, _primary_term: 1, policy },
      };
    }
    const policy = (body as { policy: Record<string, unknown> }).policy;
    if (stored === undefined) {
      if (url.searchParams.has('if_seq_no'))
        return { status: 404, body: { error: 'document missing', status: 404 } };
      this.policies.set(id, { policy, seqNo: 0 });
      return { status: 201, body: { _id: id, _seq_no: 0, _primary_term: 1, policy: { policy } } };
    }
    // An existing policy is replaced only with the sequence number read (ISM's optimistic concurrency).
    if (
      url.searchParams.get('if_seq_no') !== String(stored.seqNo) ||
      url.searchParams.get('if_primary_term') !== '1'
    )
      return { status: 409, body: { error: { type: 'version_conflict_engine_exception' }, status: 409 } };
    this.policies.set(id, { policy, seqNo: stored.seqNo + 1 });
    return {
      status: 200,
      body: { _id: id, _seq_no: stored.seqNo + 1, _primary_term: 1, policy: { policy } },
    };
  }
}

/** A stdout/stderr pair writing into one string. */
export function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { io: { stdout: sink, stderr: sink }, out: () => text };
}
