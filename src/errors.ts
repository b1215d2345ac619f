/**
 * The coded error catalog. Every error the daemon reports to an operator carries one of these
 * codes; each is documented in docs/errors.md (a test keeps the two in step).
 */
export const errorCodes = {
  GAX_ERR_CONFIG_READ: 'The configuration file cannot be read.',
  GAX_ERR_CONFIG_YAML: 'The configuration file is not valid YAML.',
  GAX_ERR_CONFIG_INVALID: 'The configuration does not match the schema.',
  GAX_ERR_CONFIG_CONFLICT:
    'Settings in the configuration contradict each other (a plugin that cannot be reached, a section left off, gax reading its own output).',
  GAX_ERR_CONFIG_ENV: 'The configuration refers to an environment variable that is not set.',
  GAX_ERR_CONFIG_ENV_FILE:
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is config syntax
    'A `${VAR}` reference cannot be read from `VAR_FILE`, or both `VAR` and `VAR_FILE` are set.',
  GAX_ERR_CLI_USAGE: 'The command line is not valid.',
  GAX_ERR_INPUT_READ: 'An input file cannot be read.',
  GAX_ERR_PLUGIN_UNKNOWN: 'The configuration enables a plugin this build does not have.',
  GAX_ERR_PLUGIN_START: 'A plugin failed to start.',
  GAX_ERR_PLUGIN_SEND: 'A plugin threw while sending a batch (a bug in the plugin, not a backend failure).',
  GAX_ERR_PLUGIN_STOP: 'A plugin did not stop within the deadline.',
  GAX_ERR_PARSE_WORKER:
    'A parse worker thread failed; its chunks were parsed on the main thread and it was replaced.',
  GAX_ERR_ES_TEMPLATES: 'The Elasticsearch plugin may not install its index templates.',
  GAX_ERR_ES_ROLLOVER_PROBE:
    'Looking up earlier copies of documents in a rolled-over data stream backing index failed.',
  GAX_ERR_ES_ALIAS: 'indexMode index writes through a rollover alias or data stream set up by hand.',
  GAX_ERR_OS_TEMPLATES: 'The OpenSearch plugin may not install its index templates.',
  GAX_ERR_OS_ROLLOVER_PROBE:
    'Looking up earlier copies of documents in a rolled-over OpenSearch data stream backing index failed.',
  GAX_ERR_OS_ISM_MISSING:
    'An ISM policy is configured for the OpenSearch plugin, but the cluster has no Index State Management plugin.',
  GAX_ERR_KAFKA_METADATA:
    'At start, the Kafka brokers could not be reached, or a topic the plugin writes to does not exist.',
  GAX_ERR_SUMMARIES_REFUSED:
    'PostgreSQL refused a batch of the summaries plugin with a data or integrity error (SQLSTATE class 22 or 23).',
  GAX_ERR_SUMMARIES_UNREACHABLE: 'At start, the summaries plugin could not reach PostgreSQL.',
  GAX_ERR_SUMMARIES_MIRROR:
    'The Elasticsearch summary indices of the summaries plugin could not be written (they lag behind PostgreSQL).',
  GAX_ERR_SETUP_FAILED: 'A `gax setup` command could not complete.',
  GAX_ERR_DEADLETTER_WRITE: 'The dead-letter file cannot be written.',
  GAX_ERR_DEADLETTER_FULL: 'The dead-letter files reached their cap; the oldest rotated file was deleted.',
  GAX_ERR_DEADLETTER_LOCKED: 'Another `gax dlq replay` is working on this dead-letter file.',
  GAX_ERR_REPLAY_REFUSED: 'A plugin cannot take the events a replay would send it.',
  GAX_ERR_TLS_INSECURE: 'Certificate verification is turned off for an outbound TLS connection.',
  GAX_ERR_STATE_LOCKED: 'Another `gax run` uses the same state directory.',
  GAX_ERR_CHECKPOINT_WRITE: 'The checkpoint cannot be written; reading pauses until it can.',
  GAX_ERR_SERVER_LISTEN: 'The HTTP server cannot listen on the configured address.',
  GAX_ERR_RELOAD_INVALID: 'A reloaded configuration is not valid; the running one is kept.',
  GAX_ERR_RELOAD_RESTART:
    'A reloaded configuration changes a setting only a restart can apply; the running one is kept.',
  GAX_ERR_RELOAD_FAILED:
    'Part of a reloaded configuration could not be applied; that part kept its previous setting.',
  GAX_ERR_SHUTDOWN_DEADLINE: 'Shutdown did not finish within the deadline.',
  GAX_ERR_OTLP_PARTIAL:
    'An OTLP receiver accepted an export but rejected some of its log records or data points.',
  GAX_ERR_OTLP_SERIES_CAP:
    'An OTLP metric reached maxSeriesPerMetric attribute sets; further ones are counted in its overflow series.',
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** What a {@link GaxError} may carry besides its code and message. */
export interface GaxErrorOptions {
  /** Lines printed before the message (e.g. every problem of a config file). */
  readonly details?: readonly string[];
  readonly cause?: unknown;
  /** The command that failed (`setup kibana`): the message reads `gax setup kibana: …`. */
  readonly command?: string;
  /** The process's exit code; by default 2 for usage and config errors, 1 otherwise. */
  readonly exitCode?: number;
  /** Further errors of the same check, rendered after this one (every unreadable file, …). */
  readonly also?: readonly GaxError[];
}

/** An error an operator can act on: a stable code plus a message and optional details. */
export class GaxError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];
  readonly command: string | undefined;
  readonly exitCode: number;
  readonly also: readonly GaxError[];

  constructor(code: ErrorCode, message: string, options?: GaxErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GaxError';
    this.code = code;
    this.details = options?.details ?? [];
    this.command = options?.command;
    this.exitCode =
      options?.exitCode ?? (code === 'GAX_ERR_CLI_USAGE' || code === 'GAX_ERR_CONFIG_INVALID' ? 2 : 1);
    this.also = options?.also ?? [];
  }
}

export function isGaxError(err: unknown): err is GaxError {
  return err instanceof GaxError;
}

/**
 * How a coded error (or warning) reads on a terminal, the one place that writes its code: its
 * details, then `gax <command>: <message> [<code>]`, then the errors it carries in `also`; each
 * line ends with a newline. The CLI renders every command error with it (src/cli.ts).
 */
export function renderGaxError(err: GaxError): string {
  const prefix = err.command === undefined ? 'gax' : `gax ${err.command}`;
  const lines = [...err.details.map((d) => `${d}\n`), `${prefix}: ${err.message} [${err.code}]\n`];
  return lines.join('') + err.also.map(renderGaxError).join('');
}
