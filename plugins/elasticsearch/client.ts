import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { Client, type ClientOptions, errors } from '@elastic/elasticsearch';
import { readClientTls } from '../../src/http/client-tls.js';
import type { BulkResponse } from '../../src/search-index/bulk-send.js';
import { responseFailure, thrownFailure } from '../../src/search-index/classify.js';
import { type JsonRequest, type RolloverClient, rolloverReads } from '../../src/search-index/rollover.js';
import { installTemplates, type TemplateResult, type Templates } from '../../src/search-index/templates.js';
import type { BulkItem, RequestFailure } from './classify.js';
import type { ElasticsearchConfig } from './config.js';

type ConnectionConfig = Pick<
  ElasticsearchConfig,
  'node' | 'cloudId' | 'auth' | 'tls' | 'compression' | 'requestTimeoutMs'
>;

const gzipBody = promisify(gzip);

/** Fast gzip for bulk bodies (see {@link EsClient.bulk}). */
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED } as const;

/** The parts of a bulk answer classify.ts and the rollover guard read; `status` is in every item. */
const BULK_QUERY = { filter_path: 'items.*.status,items.*._index,items.*.error' } as const;

/**
 * The plugin's only I/O: an `@elastic/elasticsearch` client with its own retries off (the
 * pipeline's retry layer is the only one) and the bulk body sent as we built it (the client
 * does not re-serialise a string or a Buffer).
 */
export class EsClient {
  readonly #client: Client;
  readonly #compression: boolean;

  private constructor(client: Client, compression: boolean) {
    this.#client = client;
    this.#compression = compression;
  }

  /** Reads the CA, client certificate and key files (if any) and builds the client; no request is made. */
  static async open(config: ConnectionConfig): Promise<EsClient> {
    return new EsClient(new Client(await clientOptions(config)), config.compression);
  }

  /**
   * Sends one NDJSON bulk body, gzipped here at level 1 when `compression` is on (the client's
   * own gzip is level 6: three times the CPU for a quarter fewer bytes; Beats and Logstash also
   * default to 1). The answer is cut to what classify reads (`filter_path`): every item keeps its
   * `status`, so there is still one item per action, in order.
   */
  async bulk(body: string, signal: AbortSignal): Promise<BulkResponse> {
    try {
      const gzipped = this.#compression ? await gzipBody(body, GZIP_OPTIONS) : undefined;
      const response = await this.#client.transport.request<{ items?: Record<string, BulkItem>[] }>(
        { method: 'POST', path: '/_bulk', querystring: BULK_QUERY, bulkBody: gzipped ?? body },
        {
          signal,
          meta: true,
          compression: false,
          ...(gzipped === undefined ? {} : { headers: { 'content-encoding': 'gzip' } }),
        },
      );
      const items = (response.body.items ?? []).map((entry) => Object.values(entry)[0] as BulkItem);
      return { ok: true, items };
    } catch (err) {
      return { ok: false, failure: toFailure(err) };
    }
  }

  /**
   * What the data stream guard calls on this client: its bulk requests (the deletes of later
   * copies), and the realtime `_mget` and backing-index reads of src/search-index/rollover.ts
   * over the transport.
   */
  forRollover(): RolloverClient {
    const request: JsonRequest = ({ method, path, querystring, body, ignoreNotFound }, signal) =>
      this.#client.transport.request<unknown>(
        {
          method,
          path,
          ...(querystring === undefined ? {} : { querystring }),
          ...(body === undefined ? {} : { body }),
        },
        { signal, ...(ignoreNotFound === true ? { ignore: [404] } : {}) },
      );
    return { ...rolloverReads(request, toFailure), bulk: (body, signal) => this.bulk(body, signal) };
  }

  /** Installs the component and index templates (src/search-index/templates.ts); idempotent. */
  async installTemplates(templates: Templates, signal?: AbortSignal): Promise<TemplateResult[]> {
    const options = signal === undefined ? {} : { signal };
    return installTemplates(templates, {
      get: (path) =>
        this.#client.transport.request<unknown>({ method: 'GET', path }, { ...options, ignore: [404] }),
      put: async (path, body) => {
        await this.#client.transport.request({ method: 'PUT', path, body }, options);
      },
    });
  }

  /** Any other API call (setup commands, tests): method, path, optional JSON body. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const params = body === undefined ? { method, path } : { method, path, body: body as object };
    return this.#client.transport.request<T>(params);
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

async function clientOptions(config: ConnectionConfig): Promise<ClientOptions> {
  const { tls, auth } = config;
  const { ca, cert, key } = await readClientTls(tls, 'plugins.elasticsearch');
  const options: ClientOptions = {
    ...(config.cloudId === undefined ? { node: config.node } : { cloud: { id: config.cloudId } }),
    maxRetries: 0,
    requestTimeout: config.requestTimeoutMs,
    compression: config.compression,
    sniffOnStart: false,
    // A CA fingerprint replaces chain verification (the client checks it after the handshake,
    // which a CA not in the trust store would otherwise fail), as Elastic documents it.
    tls: {
      rejectUnauthorized: tls.rejectUnauthorized && (tls.caFingerprint === undefined || ca !== undefined),
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined || key === undefined ? {} : { cert, key }),
    },
    ...(tls.caFingerprint === undefined ? {} : { caFingerprint: tls.caFingerprint }),
  };
  if (auth === undefined) return options;
  if ('apiKey' in auth) return { ...options, auth: { apiKey: auth.apiKey } };
  return { ...options, auth: { username: auth.username, password: auth.password } };
}

/** A client error → what classify needs: status, name, a one-line message, Retry-After. */
export function toFailure(err: unknown): RequestFailure {
  if (!(err instanceof errors.ResponseError)) return thrownFailure(err);
  const { statusCode, headers, body } = err.meta;
  return responseFailure({ name: err.name, message: err.message, statusCode, headers, body });
}
