import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { ErrorCode } from '../errors.js';
import { type Readiness, type RunningServer, startServer } from '../http/server.js';

export interface HttpServerOptions {
  readonly registry: Registry;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

/** The daemon's HTTP server (`/healthz`, `/readyz`, `/metrics`), when `server.enabled`. */
export class HttpServer {
  readonly #options: HttpServerOptions;
  #running: RunningServer | undefined;

  constructor(options: HttpServerOptions) {
    this.#options = options;
  }

  /** The base URL while listening. */
  get url(): string | undefined {
    return this.#running?.url;
  }

  /** Listens with `server` (nothing when it is not enabled). */
  async open(server: Config['server']): Promise<void> {
    if (!server.enabled) return;
    const { registry, readiness, logger } = this.#options;
    this.#running = await startServer({
      host: server.host,
      port: server.port,
      ...(server.basicAuth === undefined ? {} : { basicAuth: server.basicAuth }),
      ...(server.tls === undefined ? {} : { tls: server.tls }),
      registry,
      readiness,
      logger,
    });
    logger.info({ url: this.#running.url }, 'HTTP server listening.');
  }

  async close(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    await running?.close();
  }

  /** Closes the server and opens it with `wanted`; if that fails, with `previous` again. Returns the failure. */
  async restart(previous: Config['server'], wanted: Config['server']): Promise<string | undefined> {
    const { logger } = this.#options;
    await this.close();
    if (!wanted.enabled) {
      logger.info('HTTP server stopped.');
      return undefined;
    }
    try {
      await this.open(wanted);
      return undefined;
    } catch (err) {
      logger.error(
        { err, code: 'GAX_ERR_RELOAD_FAILED' satisfies ErrorCode },
        'HTTP server cannot start with the new settings.',
      );
      await this.open(previous).catch((again: unknown) => {
        logger.error(
          { err: again, code: 'GAX_ERR_SERVER_LISTEN' satisfies ErrorCode },
          'HTTP server cannot start again.',
        );
      });
      return err instanceof Error ? err.message : String(err);
    }
  }
}
