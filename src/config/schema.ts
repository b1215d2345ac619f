import { type Static, Type } from '@sinclair/typebox';
import { plugins } from '../../plugins/index.js';
import { formats } from '../parsers/index.js';
import { pluginsSchema } from './plugins-schema.js';
import { ServerSchema } from './server-schema.js';

/**
 * The one configuration schema. Defaults live here (and in each plugin's `config.ts`) only.
 * Custom keywords: `secret: true` marks values `redactConfig` hides; `filePath: true` marks
 * paths resolved against the config file's directory; `errorMessage` replaces Ajv's wording.
 * A key with a `default` is listed as required so the static type has it; the loader fills it.
 */
const closed = { additionalProperties: false } as const;

const InputSchema = Type.Object(
  {
    format: Type.Union(
      formats.map((f) => Type.Literal(f.name)),
      {
        default: formats[0].name,
        description: `Log format, which selects the parser: ${formats.map((f) => `\`${f.name}\` (${f.summary})`).join(', ')}.`,
      },
    ),
    paths: Type.Array(Type.String({ minLength: 1, filePath: true }), {
      minItems: 1,
      description:
        "Files to tail; globs allowed. Relative to the config file. Name the active file (`…/apim_metrics.log` for `wso2-apim`): the siblings its gateway's logger rotates it to are followed too (see `followRotated`).",
    }),
    followRotated: Type.Boolean({
      default: true,
      description:
        'Also watch the rotated siblings of each path that names one file, as the input format names them (`wso2-apim`, log4j2: `apim_metrics.log` → `apim_metrics-*.log`): a rotated file is drained to its end, also when it was rotated while the daemon was stopped. Siblings older than the last checkpoint (history) are not read.',
    }),
    hostName: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "`host.name` of this input's events: the gateway node that writes these files. Default: the host name of the machine gax runs on (right for a sidecar; set it when the files come from another node, e.g. a shared volume).",
      }),
    ),
    from: Type.Union([Type.Literal('beginning'), Type.Literal('end')], {
      default: 'beginning',
      description:
        'Where to start on the very first run (no checkpoint yet): `beginning` or `end` of the files found. Files that appear later are always read from their beginning.',
    }),
    maxLineBytes: Type.Integer({
      default: 1_048_576,
      minimum: 1024,
      description: 'Longest accepted line in bytes; longer lines are skipped and counted.',
    }),
    pollIntervalMs: Type.Integer({
      default: 250,
      minimum: 10,
      description: 'How often files are checked for new data and rotation, in milliseconds.',
    }),
    partialLineTimeoutMs: Type.Integer({
      default: 5000,
      minimum: 0,
      description:
        'A last line without its newline is held this long without the file growing, then handed over as complete (and rejected if it is not a whole event). A rotated-away file hands it over at once.',
    }),
  },
  { ...closed, description: 'One group of log files read with one parser.' },
);

const StateSchema = Type.Object(
  {
    dir: Type.String({
      default: './data',
      minLength: 1,
      filePath: true,
      description: 'Directory for checkpoints and dead letters. Relative to the config file.',
    }),
  },
  { ...closed, default: {}, description: 'Where the daemon keeps its own files.' },
);

const RetrySchema = Type.Object(
  {
    initialIntervalMs: Type.Integer({
      default: 200,
      minimum: 1,
      description: 'Delay before the first retry, ms.',
    }),
    maxIntervalMs: Type.Integer({
      default: 30_000,
      minimum: 1,
      description: 'Longest delay between retries, ms.',
    }),
    multiplier: Type.Number({
      default: 2,
      minimum: 1,
      description: 'Factor the delay grows by after each retry.',
    }),
    jitter: Type.Number({
      default: 0.2,
      minimum: 0,
      maximum: 1,
      description: 'Random spread of each delay, as a fraction (0.2 = ±20%).',
    }),
    maxElapsedMs: Type.Integer({
      default: 0,
      minimum: 0,
      description:
        'Give up and dead-letter after retrying this long, ms; `0` retries until delivered or stopped.',
    }),
  },
  { ...closed, default: {}, description: 'Backoff for retryable failures, shared by every plugin.' },
);

const DeadLetterSchema = Type.Object(
  {
    path: Type.String({
      default: '',
      filePath: true,
      description:
        'NDJSON file for rejected and exhausted events; empty means `<state.dir>/dead-letter.ndjson`.',
    }),
    maxBytes: Type.Integer({
      default: 104_857_600,
      minimum: 1,
      description:
        'Size at which the dead-letter file is rotated (renamed to `<path>.1`, older ones shifted to `.2`, …), in bytes.',
    }),
    maxFiles: Type.Integer({
      default: 1,
      minimum: 0,
      maximum: 1000,
      description:
        'Rotated dead-letter files kept; the oldest beyond this is deleted (logged with GAX_ERR_DEADLETTER_FULL). At most `maxBytes × (maxFiles + 1)` bytes on disk.',
    }),
  },
  {
    ...closed,
    default: {},
    description:
      'Where undeliverable events are kept; `gax dlq inspect` summarises them, `gax dlq replay` re-sends them.',
  },
);

const PipelineSchema = Type.Object(
  {
    batchMaxEvents: Type.Integer({
      default: 1000,
      minimum: 1,
      maximum: 100_000,
      description: 'Most events in one batch sent to a plugin.',
    }),
    batchMaxWaitMs: Type.Integer({
      default: 50,
      minimum: 0,
      description:
        'Longest a partial batch waits for more events before it is sent, ms: the main part of the delay from a log line to the backends.',
    }),
    queueMaxBatches: Type.Integer({
      default: 16,
      minimum: 1,
      description: 'Batches queued per plugin; when full, reading pauses (nothing is dropped).',
    }),
    detachAfterMs: Type.Integer({
      default: 1000,
      minimum: 0,
      description:
        'Each input is read and parsed once for every plugin instance. An instance whose queue stays full this long, ms (its backend down, or slower than the input), is let go to read on its own from where it stopped, so that it holds back no other; it rejoins the shared reader once caught up.',
    }),
    workers: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 0, maximum: 16 })], {
      default: 0,
      description:
        'Worker threads that parse input lines while the main thread reads them, hands the events over in order and runs the plugins. `0`: parse on the main thread. `auto`: one per core beyond the first, at most 8. Measured on 2 cores (docs/operations.md, "Capacity planning"): with the Prometheus plugin alone a worker costs more than it saves (events are copied back to the main thread: +66 % CPU, +68 MiB); with all four plugins it finished ~1.2× sooner for +12 % CPU. Each worker adds about 30–70 MiB.',
    }),
    retry: RetrySchema,
    deadLetter: DeadLetterSchema,
    shutdownTimeoutMs: Type.Integer({
      default: 10_000,
      minimum: 0,
      description: 'How long shutdown may take to flush plugins and write checkpoints, ms.',
    }),
  },
  {
    ...closed,
    default: {},
    description: 'Batching, queueing, retry and dead letters between parser and plugins.',
  },
);

const LogSchema = Type.Object(
  {
    level: Type.Union(
      [
        Type.Literal('trace'),
        Type.Literal('debug'),
        Type.Literal('info'),
        Type.Literal('warn'),
        Type.Literal('error'),
        Type.Literal('fatal'),
      ],
      { default: 'info', description: 'Least severe level written.' },
    ),
    format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
      default: 'auto',
      description: '`json` lines, `pretty` text, or `auto`: pretty on a terminal, JSON otherwise.',
    }),
  },
  {
    ...closed,
    default: {},
    description: "The daemon's own log, written to stdout (one JSON object per line).",
  },
);

const PluginsSchema = pluginsSchema(plugins);

export const ConfigSchema = Type.Object(
  {
    inputs: Type.Array(InputSchema, { minItems: 1, description: 'Log files to read.' }),
    state: StateSchema,
    server: ServerSchema,
    pipeline: PipelineSchema,
    log: LogSchema,
    plugins: PluginsSchema,
  },
  {
    ...closed,
    title: 'gateway-analytics-exporter configuration',
    description: 'Configuration of `gax`, the WSO2 API Manager analytics exporter.',
  },
);

export type Config = Static<typeof ConfigSchema>;
