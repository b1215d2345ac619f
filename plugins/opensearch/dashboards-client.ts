import { agentFetch, type FetchLike } from '../../src/http/agent-fetch.js';
import { type ClientTlsConfig, readClientTls } from '../../src/http/client-tls.js';

/** Where OpenSearch Dashboards is and how to reach it (`gax setup opensearch-dashboards`). */
export interface DashboardsConnection {
  /** Base URL, e.g. https://dashboards:5601 (with its basePath, if any). */
  readonly url: string;
  /** `Authorization` header value (`Basic …`), from the environment. */
  readonly authorization?: string;
  /** Security plugin tenant (`global`, `private`, a custom tenant): the `securitytenant` header. */
  readonly tenant?: string;
  /** CA, client certificate and verification for an `https://` URL. */
  readonly tls?: ClientTlsConfig;
}

/** The server's answer: its status and body text, whatever they are. */
export interface DashboardsResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly text: string;
}

/**
 * The OpenSearch plugin's OpenSearch Dashboards I/O: the saved-objects import API. OpenSearch
 * Dashboards wants `osd-xsrf` (it refuses Kibana's `kbn-xsrf`). One connection per request.
 */
export class DashboardsClient {
  readonly #connection: DashboardsConnection;
  readonly #base: string;
  readonly #send: FetchLike;
  readonly #close: () => void;

  private constructor(connection: DashboardsConnection, send: FetchLike, close: () => void) {
    this.#connection = connection;
    this.#base = connection.url.replace(/\/+$/, '');
    this.#send = send;
    this.#close = close;
  }

  /** Reads the TLS files, if any (their errors name `opensearch-dashboards.tls.*File`); no request. */
  static async open(connection: DashboardsConnection): Promise<DashboardsClient> {
    if (connection.tls === undefined) return new DashboardsClient(connection, fetch, () => {});
    const agent = agentFetch(await readClientTls(connection.tls, 'opensearch-dashboards'), {
      keepAlive: false,
    });
    return new DashboardsClient(connection, agent.fetch, agent.close);
  }

  /** The base URL, without trailing slashes. */
  get base(): string {
    return this.#base;
  }

  /**
   * `POST <base>/api/saved_objects/_import?overwrite=true` with `ndjson` as the multipart `file`;
   * rejects (with the network error as `cause`) when the server cannot be reached.
   */
  async importSavedObjects(ndjson: string): Promise<DashboardsResponse> {
    const form = new FormData();
    form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'gax-dashboards.ndjson');
    const { authorization, tenant } = this.#connection;
    const response = await this.#send(`${this.#base}/api/saved_objects/_import?overwrite=true`, {
      method: 'POST',
      headers: {
        'osd-xsrf': 'true',
        ...(authorization === undefined ? {} : { authorization }),
        ...(tenant === undefined ? {} : { securitytenant: tenant }),
      },
      body: form,
    });
    return { status: response.status, ok: response.ok, text: await response.text() };
  }

  close(): void {
    this.#close();
  }
}
