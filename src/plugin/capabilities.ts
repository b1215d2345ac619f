import type { GaxError } from '../errors.js';
import type { CanonicalEvent } from '../schema/event.js';

/**
 * The optional capabilities of a plugin definition (src/plugin/define.ts): what a plugin adds to
 * `gax setup`, `gax check-config` and the configuration checks. Each receives the validated section
 * of one instance (`elasticsearch`, `elasticsearch/archive`) and knows nothing of the others.
 */

/** Where a command writes: its standard output and error. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** One option of a setup subcommand, declared as commander takes it. */
export interface SetupOption {
  /** `--node <url>`, `-c, --config <file>`, `--print`. */
  readonly flags: string;
  readonly description: string;
  /** The only values allowed. */
  readonly choices?: readonly string[];
  /** Its default is this environment variable's value (`GAX_CONFIG`, `KIBANA_URL`). */
  readonly env?: string;
  /** The command fails with a usage error when it is missing (and `env` is unset). */
  readonly required?: boolean;
}

/** The `-c, --config <file>` option, with what the command uses of the file. */
export function configOption(description: string): SetupOption {
  return { flags: '-c, --config <file>', description, env: 'GAX_CONFIG' };
}

/** What a setup subcommand's `run` gets from `gax setup`. */
export interface SetupContext<C> {
  /** The parsed options, camelCased (`--index-prefix` → `indexPrefix`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The instance id whose section is used: `--instance`, by default the plugin type itself. */
  readonly instance: string;
  /**
   * That instance's validated section from `--config` (the file the daemon runs with), or the
   * defaults without one. Throws `GAX_ERR_CONFIG_INVALID` (every problem listed) for a bad file.
   */
  section(): Promise<C>;
  readonly io: CommandIo;
  readonly env: NodeJS.ProcessEnv;
  /** A usage error (exit 2): `gax setup <name>: <message>` on stderr; throw what it returns. */
  usage(message: string): Error;
  /** Reports a coded warning the way errors are rendered, and carries on. */
  warn(warning: GaxError): void;
}

/**
 * A `gax setup <name>` subcommand. Declared in the plugin's light module (its options are read by
 * `gax --help`); `run` imports the code that talks to the backend. Failures are thrown as
 * `GaxError`s, which the CLI renders; `run` resolves to the exit code otherwise (0, or 1 when it
 * printed a partial failure itself).
 */
export interface SetupCommand<C> {
  /** The subcommand: `gax setup <name>`. */
  readonly name: string;
  readonly description: string;
  /** In help order; `--instance <id>` is added after them by `gax setup`. */
  readonly options: readonly SetupOption[];
  run(context: SetupContext<C>): Promise<number>;
}

/** Canonical events of a sample log (`check-config --sample`), parsed by the configured input format. */
export interface EventSample {
  readonly path: string;
  readonly events: readonly CanonicalEvent[];
}

/** What `describe` and `cost` know besides the section. */
export interface DescribeContext {
  /** The instance id (`datadog`, `elasticsearch/archive`): the label of its lines. */
  readonly id: string;
}

/** A contradiction within a plugin's section or between it and the rest of the config. */
export interface PluginConflict {
  /** Path below the instance's section (`['templates', 'ilmPolicy']`; `[]` for the section). */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The parts of the configuration outside its own section a plugin's checks may look at. */
export interface ConflictContext {
  readonly id: string;
  /** `server.enabled`: whether the HTTP server (`/metrics`, `/healthz`) runs. */
  readonly serverEnabled: boolean;
  /** `pipeline.deadLetter.path`. */
  readonly deadLetterPath: string;
  /** The inputs whose paths would read `file` (rotated siblings included), as `inputs[i].paths` patterns. */
  inputsReading(file: string): readonly { readonly index: number; readonly pattern: string }[];
}

/**
 * An enabled instance of the same type configured before the one being checked (`prometheus`
 * when `prometheus/detailed` is checked), so a clash between two instances is reported once, on
 * the later one.
 */
export interface EarlierInstance<C> {
  readonly id: string;
  readonly section: C;
}

/** The optional capabilities, each typed by the plugin's validated section `C`. */
export interface PluginCapabilities<C> {
  /** The `gax setup` subcommands this plugin contributes (Elasticsearch: `elasticsearch`, `kibana`). */
  readonly setup?: readonly SetupCommand<C>[];
  /** `gax check-config`'s lines about an enabled instance: where it sends (secrets redacted). */
  describe?(section: C, context: DescribeContext): readonly string[];
  /**
   * What an instance costs on the backend (Datadog: custom metrics), printed by `check-config`
   * after its `describe` lines: the bound without a sample, the estimate from `--sample`'s events.
   * With `--sample`, a type with `cost` is reported even when no instance of it is enabled.
   */
  cost?(section: C, context: DescribeContext & { readonly sample?: EventSample }): readonly string[];
  /**
   * Settings of an enabled instance that are each valid but contradict each other, reported as
   * `GAX_ERR_CONFIG_CONFLICT` warnings at the instance's paths; synchronous and pure.
   */
  conflicts?(
    section: C,
    context: ConflictContext & { readonly earlier: readonly EarlierInstance<C>[] },
  ): readonly PluginConflict[];
}
