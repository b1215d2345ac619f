import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { Client, type ClientOptions, errors } from '@opensearch-project/opensearch';
import { GaxError } from '../../src/errors.js';
import { readClientTls } from '../../src/http/client-tls.js';
import type { BulkResponse } from '../../src/search-index/bulk-send.js';
import {
  type BulkItem,
  type RequestFailure,
  responseFailure,
  thrownFailure,
} from '../../src/search-index/classify.js';
import { type RolloverClient, rolloverReads } from '../../src/search-index/rollover.js';
import { installTemplates, type TemplateResult, type Templates } from '../../src/search-index/templates.js';
import type { OpenSearchConfig } from './config.js';
import { type InstalledPolicy, ISM_COMPONENT, type IsmPolicy, policyResult } from './ism.js';

type ConnectionConfig = Pick<
  OpenSearchConfig,
  'node' | 'nodes' | 'auth' | 'tls' | 'compression' | 'requestTimeoutMs'
>;

const gzipBody = promisify(gzip);
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED } as const;

/** The parts of a bulk answer classify reads; `status` is in every item, so there is one per action. */
const BULK_QUERY = { filter_path: 'items.*.status,items.*._index,items.*.error' } as const;

/** What installing the ISM policy did. */
export interface PolicyResult {
  readonly kind: 'ism policy';
  readonly name: string;
  readonly result: 'created' | 'updated' | 'unchanged';
}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly querystring?: Record<string, string>;
  readonly ignore?: number[];
}

/**
 * The OpenSearch plugin's only I/O: an `@opensearch-project/opensearch` client with its own
 * retries off (the pipeline's retry layer is the only one), bulk bodies sent as built (gzip
 * level 1, as the Elasticsearch plugin), and the template and ISM calls of `gax setup opensearch`.
 */
export class OsClient {
  readonly #client: Client;
  readonly #compression: boolean;

  private constructor(client: Client, compression: boolean) {
    this.#client = client;
    this.#compression = compression;
  }

  /** Reads the CA, client certificate and key files (if any) and builds the client; no request is made. */
  static async open(config: ConnectionConfig): Promise<OsClient> {
    return new OsClient(new Client(await clientOptions(config)), config.compression);
  }

  /** Sends one NDJSON bulk body; the answer is cut to what classify reads (`filter_path`). */
  async bulk(body: string, signal: AbortSignal): Promise<BulkResponse> {
    try {
      const gzipped = this.#compression ? await gzipBody(body, GZIP_OPTIONS) : undefined;
      const headers = gzipped === undefined ? undefined : { 'content-encoding': 'gzip' };
      const answer = await this.#call<{ items?: Record<string, BulkItem>[] }>(
        { method: 'POST', path: '/_bulk', querystring: BULK_QUERY, body: gzipped ?? body },
        signal,
        headers,
      );
      const items = (answer?.items ?? []).map((entry) => Object.values(entry)[0] as BulkItem);
      return { ok: true, items };
    } catch (err) {
      return { ok: false, failure: toFailure(err) };
    }
  }

  /** `dataStream` mode: the shared rollover guard's requests (src/search-index/rollover.ts) on this client. */
  forRollover(): RolloverClient {
    return {
      ...rolloverReads(({ ignoreNotFound, ...call }, signal) => {
        return this.#call({ ...call, ...(ignoreNotFound === true ? { ignore: [404] } : {}) }, signal);
      }, toFailure),
      bulk: (body, signal) => this.bulk(body, signal),
    };
  }

  /** Installs the component and index templates (src/search-index/templates.ts); idempotent. */
  installTemplates(templates: Templates, signal?: AbortSignal): Promise<TemplateResult[]> {
    return installTemplates(templates, {
      get: (path) => this.#call({ method: 'GET', path, ignore: [404] }, signal),
      put: async (path, body) => {
        await this.#call({ method: 'PUT', path, body }, signal);
      },
    });
  }

  /** Whether the cluster has the Index State Management plugin (`GET _cat/plugins`). */
  async hasIsm(signal?: AbortSignal): Promise<boolean> {
    const rows = await this.#call<{ component?: string }[]>(
      { method: 'GET', path: '/_cat/plugins', querystring: { format: 'json', h: 'component' } },
      signal,
    );
    return (rows ?? []).some((row) => row.component === ISM_COMPONENT);
  }

  /**
   * Creates or updates the ISM policy; `unchanged` when the installed one has the same checksum.
   * An update names the `_seq_no` / `_primary_term` read, as ISM requires. Throws
   * `GAX_ERR_OS_ISM_MISSING` when the cluster has no ISM plugin.
   */
  async installPolicy(policy: IsmPolicy, signal?: AbortSignal): Promise<PolicyResult> {
    if (!(await this.hasIsm(signal))) throw ismMissing(policy.id);
    const path = `/_plugins/_ism/policies/${encodeURIComponent(policy.id)}`;
    const installed = await this.#call<InstalledPolicy>({ method: 'GET', path, ignore: [404] }, signal);
    const result = policyResult(installed, policy);
    if (result !== 'unchanged') {
      const querystring =
        result === 'created'
          ? undefined
          : { if_seq_no: String(installed?._seq_no), if_primary_term: String(installed?._primary_term) };
      await this.#call(
        { method: 'PUT', path, body: policy.body, ...(querystring ? { querystring } : {}) },
        signal,
      );
    }
    return { kind: 'ism policy', name: policy.id, result };
  }

  /** Any other API call (setup commands, tests): method, path, optional JSON body. */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#call<T>({ method, path, ...(body === undefined ? {} : { body }) }) as Promise<T>;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  /**
   * One request; its body (the answer's, undefined for an ignored 404). The client takes no
   * AbortSignal: its promise's `abort()` is called when `signal` fires.
   */
  async #call<T>(call: Call, signal?: AbortSignal, headers?: Record<string, string>): Promise<T | undefined> {
    signal?.throwIfAborted();
    const { method, path, body, querystring, ignore } = call;
    const bulk = path === '/_bulk';
    const params = {
      method,
      path,
      ...(body === undefined ? {} : bulk ? { bulkBody: body as string | Buffer } : { body: body as object }),
      ...(querystring === undefined ? {} : { querystring }),
    };
    const pending = this.#client.transport.request(params, {
      ...(ignore === undefined ? {} : { ignore }),
      ...(headers === undefined ? {} : { headers }),
    });
    const abort = () => pending.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const response = await pending;
      return response.statusCode === 404 && ignore?.includes(404) === true ? undefined : (response.body as T);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }
}

/** `GAX_ERR_OS_ISM_MISSING`: the policy cannot be installed on this cluster. */
export function ismMissing(policyId: string): GaxError {
  return new GaxError(
    'GAX_ERR_OS_ISM_MISSING',
    `plugins.opensearch.ism is enabled (policy ${policyId}) but the cluster has no Index State Management plugin (${ISM_COMPONENT} is not in GET _cat/plugins): install it, or set ism.enabled: false`,
  );
}

async function clientOptions(config: ConnectionConfig): Promise<ClientOptions> {
  const { tls, auth } = config;
  const { ca, cert, key } = await readClientTls(tls, 'plugins.opensearch');
  return {
    node: config.nodes ?? config.node,
    maxRetries: 0,
    requestTimeout: config.requestTimeoutMs,
    sniffOnStart: false,
    ssl: {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined || key === undefined ? {} : { cert, key }),
    },
    ...(auth === undefined ? {} : { auth: { username: auth.username, password: auth.password } }),
  };
}

/** A client error → what classify needs: status, name, a one-line message, Retry-After. */
export function toFailure(err: unknown): RequestFailure {
  if (!(err instanceof errors.ResponseError)) return thrownFailure(err);
  const { statusCode, headers, body } = err.meta;
  return responseFailure({ name: err.name, message: err.message, statusCode, headers, body });
}
