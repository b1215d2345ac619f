import { Client, type ClientOptions, errors } from '@elastic/elasticsearch';
import { readClientTls } from '../../src/http/client-tls.js';
import type { SummariesConfig } from './config.js';

/** `plugins.summaries.elasticsearch`, as validated. */
export type MirrorConfig = NonNullable<SummariesConfig['elasticsearch']>;

/** One document to write: index, `_id`, external version and source. */
export interface MirrorDoc {
  readonly index: string;
  readonly id: string;
  readonly version: number;
  readonly source: Record<string, unknown>;
}

/**
 * What ES did with one document: `indexed` (created or replaced), `superseded` (409: a newer or
 * equal revision is already there, nothing to do), `retry` (429, 5xx: send again), `rejected`
 * (any other refusal: it would fail again).
 */
export type ItemOutcome = 'indexed' | 'superseded' | 'retry' | 'rejected';

export interface ItemResult {
  readonly outcome: ItemOutcome;
  readonly reason?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The summaries mirror's only Elasticsearch I/O: the index template and bulk writes. */
export class MirrorClient {
  readonly #client: Client;

  private constructor(client: Client) {
    this.#client = client;
  }

  /** Reads the TLS files (if any) and builds the client; no request is made. Client retries off. */
  static async open(config: MirrorConfig, section: string): Promise<MirrorClient> {
    const tls = config.tls === undefined ? undefined : await readClientTls(config.tls, section);
    const options: ClientOptions = {
      node: config.node,
      maxRetries: 0,
      requestTimeout: REQUEST_TIMEOUT_MS,
      sniffOnStart: false,
      ...(tls === undefined
        ? {}
        : {
            tls: {
              rejectUnauthorized: tls.rejectUnauthorized,
              ...(tls.ca === undefined ? {} : { ca: tls.ca }),
              ...(tls.cert === undefined || tls.key === undefined ? {} : { cert: tls.cert, key: tls.key }),
            },
          }),
      ...(config.apiKey !== undefined
        ? { auth: { apiKey: config.apiKey } }
        : config.username !== undefined && config.password !== undefined
          ? { auth: { username: config.username, password: config.password } }
          : {}),
    };
    return new MirrorClient(new Client(options));
  }

  /** Installs (or replaces) the composable index template `name`; idempotent. */
  async putTemplate(name: string, body: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await this.#client.transport.request(
      { method: 'PUT', path: `/_index_template/${encodeURIComponent(name)}`, body },
      { signal },
    );
  }

  /**
   * One bulk request of `index` actions with `version_type: external_gte`: a document is only
   * replaced by one of the same or a later revision. One result per document, in order; a failed
   * request throws.
   */
  async bulk(docs: readonly MirrorDoc[], signal: AbortSignal): Promise<ItemResult[]> {
    const operations: unknown[] = [];
    for (const doc of docs)
      operations.push(
        { index: { _index: doc.index, _id: doc.id, version: doc.version, version_type: 'external_gte' } },
        doc.source,
      );
    const response = await this.#client.bulk(
      { operations, filter_path: 'items.*.status,items.*.error' },
      { signal },
    );
    const items = (response.items ?? []).map((entry) => Object.values(entry)[0]);
    if (items.length !== docs.length)
      throw new Error(`bulk answered ${items.length} items for ${docs.length} documents`);
    return items.map((item) => toResult(item?.status ?? 0, item?.error));
  }

  async close(): Promise<void> {
    await this.#client.close().catch(() => undefined);
  }
}

function toResult(status: number, error: unknown): ItemResult {
  if (status >= 200 && status < 300) return { outcome: 'indexed' };
  const reason = describe(error, status);
  if (status === 409) return { outcome: 'superseded', reason };
  if (status === 429 || status >= 500 || status === 0) return { outcome: 'retry', reason };
  return { outcome: 'rejected', reason };
}

function describe(error: unknown, status: number): string {
  const e = error as { type?: string; reason?: string } | undefined;
  return `${status} ${e?.type ?? 'error'}: ${e?.reason ?? ''}`.trim();
}

/** A one-line reason for a failed request (the back-off log line). */
export function requestFailure(err: unknown): string {
  if (err instanceof errors.ResponseError) return `HTTP ${err.statusCode ?? 0}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
