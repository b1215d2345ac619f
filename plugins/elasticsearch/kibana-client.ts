import { agentFetch, type FetchLike } from '../../src/http/agent-fetch.js';
import { type ClientTlsConfig, readClientTls } from '../../src/http/client-tls.js';

/** Where Kibana is and how to reach it (`gax setup kibana`'s flags and environment). */
export interface KibanaConnection {
  /** Kibana base URL, e.g. http://kibana:5601 (with its basePath, if any). */
  readonly url: string;
  /** `Authorization` header value (`ApiKey …` or `Basic …`), from the environment. */
  readonly authorization?: string;
  /** CA, client certificate and verification for an `https://` Kibana. */
  readonly tls?: ClientTlsConfig;
}

/** Kibana's answer: its status and body text, whatever they are. */
export interface KibanaResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly text: string;
}

/**
 * The Elasticsearch plugin's Kibana I/O (`gax setup kibana`): the saved-objects import API. One
 * connection per request, none kept alive.
 */
export class KibanaClient {
  readonly #base: string;
  readonly #authorization: string | undefined;
  readonly #send: FetchLike;
  readonly #close: () => void;

  private constructor(connection: KibanaConnection, send: FetchLike, close: () => void) {
    this.#base = connection.url.replace(/\/+$/, '');
    this.#authorization = connection.authorization;
    this.#send = send;
    this.#close = close;
  }

  /** Reads the TLS files, if any (their errors name `kibana.tls.*File`); no request is made. */
  static async open(connection: KibanaConnection): Promise<KibanaClient> {
    if (connection.tls === undefined) return new KibanaClient(connection, fetch, () => {});
    const agent = agentFetch(await readClientTls(connection.tls, 'kibana'), { keepAlive: false });
    return new KibanaClient(connection, agent.fetch, agent.close);
  }

  /** The base URL, without trailing slashes. */
  get base(): string {
    return this.#base;
  }

  /**
   * `POST <base>[/s/<space>]/api/saved_objects/_import?overwrite=true` with `ndjson` as the file;
   * rejects (with the network error as `cause`) when Kibana cannot be reached.
   */
  async importSavedObjects(spacePath: string, ndjson: string): Promise<KibanaResponse> {
    const form = new FormData();
    form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'gax-dashboards.ndjson');
    const response = await this.#send(`${this.#base}${spacePath}/api/saved_objects/_import?overwrite=true`, {
      method: 'POST',
      headers: {
        'kbn-xsrf': 'gax',
        ...(this.#authorization === undefined ? {} : { authorization: this.#authorization }),
      },
      body: form,
    });
    return { status: response.status, ok: response.ok, text: await response.text() };
  }

  close(): void {
    this.#close();
  }
}
