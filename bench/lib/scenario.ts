import type { GeneratorOptions } from '../../src/parsers/wso2-apim/sim/generate.js';
import type { Command } from './measure.js';
import type { ServiceName, Services } from './services.js';

/** What a scenario knows about the run: where the repo and the input file are. */
export interface ScenarioContext {
  repoRoot: string;
  file: string;
  lines: number;
  bytes: number;
  /** Metric events in the file when known (a generated file), else undefined. */
  events: number | undefined;
  /** `--quick`: scenarios that run for a fixed time should shorten it. */
  quick: boolean;
  /** Generator options of the input; undefined for a `--file` input. */
  generator: GeneratorOptions | undefined;
  /** `--data-dir`: where generated inputs are cached. */
  dataDir: string;
  /** Options of the backend scenarios (`--es-lines`, `--outage-minutes`, `--rate`). */
  backends: BackendOptions;
  /** The backends the harness started for the selected scenarios (`Scenario.services`). */
  services: Services;
  /** Unique per measured run when `prepare` sets it (fresh index prefix, Datadog `env` tag). */
  runTag?: string;
}

export interface BackendOptions {
  /** Lines of the input (its first N) the Elasticsearch throughput scenarios index. */
  esLines: number;
  /** How long `outage-elasticsearch` keeps Elasticsearch unreachable. */
  outageMinutes: number;
  /** Lines per second the writer appends during the outage. */
  rate: number;
}

/**
 * One benchmark: a whole child process over the input file. Register it in `bench/scenarios/index.ts`.
 */
export interface Scenario {
  name: string;
  description: string;
  /** The scenario this one is divided by in the ratio column; it is always run alongside. */
  baseline?: string;
  /** More scenarios to publish this one's time ratio against (below the table); also run alongside. */
  compareWith?: readonly string[];
  /**
   * At most this many measured runs whatever `--runs` says: a soak (a 10-minute outage) or a
   * scenario that reports its own per-run figures is measured once. @default `--runs`
   */
  maxRuns?: number;
  /** False when the command does not process the input file (no Lines/s, MB/s). @default true */
  readsInput?: boolean;
  /** False when it reads the file without parsing events (no CPU per 1,000 events). @default true */
  parsesEvents?: boolean;
  /** Backends the harness starts once (before the first run) and stops at the end; see `ctx.services`. */
  services?: readonly ServiceName[];
  /**
   * Runs before each measured run, untimed: returns that run's context (another input file, a
   * `runTag`, a backend reset). Lines/s and CPU per event use the input it returns.
   */
  prepare?(ctx: ScenarioContext): Promise<ScenarioContext>;
  /** Why the scenario cannot run here (missing build, tool…), or undefined when it can. */
  unavailable?(ctx: ScenarioContext): string | undefined;
  command(ctx: ScenarioContext): Command;
  /** Checks captured stdout (set `captureStdout`); returns a problem, or undefined when fine. */
  verify?(stdout: string, ctx: ScenarioContext): string | undefined;
  /**
   * Figures beyond time and memory read from a verified run's stdout (e.g. latency percentiles).
   * A key `group.name` is row `group`, column `name` of this scenario's own table in the report;
   * each figure is the median over the runs. Needs `captureStdout`.
   */
  metrics?(stdout: string, ctx: ScenarioContext): Record<string, number>;
  /** Heading of that table. @default the scenario name */
  metricsTitle?: string;
}

/** Baselines print one JSON object; returns it, or undefined when stdout is not that. */
export function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const value: unknown = JSON.parse(last);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the counts a driver printed as its last line: every line of the file read and, for a
 * generated file, every event parsed. Returns what is wrong, or undefined.
 */
export function verifyCounts(stdout: string, ctx: ScenarioContext): string | undefined {
  const counts = lastJsonLine(stdout);
  if (counts?.lines !== ctx.lines) return `counted ${String(counts?.lines)} lines, expected ${ctx.lines}`;
  if (ctx.events !== undefined && counts.events !== ctx.events) {
    return `parsed ${String(counts.events)} events, expected ${ctx.events}`;
  }
  return undefined;
}

/**
 * Checks the counts of a driver that tails the file with the real daemon. A `--file` input's
 * unterminated last line is not waited for (the tailer hands it over only after
 * `partialLineTimeoutMs`), so one line fewer is accepted when the event count is unknown.
 */
export function verifyTailed(stdout: string, ctx: ScenarioContext): string | undefined {
  const counts = lastJsonLine(stdout);
  const lines = counts?.lines;
  if (!(lines === ctx.lines || (ctx.events === undefined && lines === ctx.lines - 1))) {
    return `tailed ${String(lines)} lines, expected ${ctx.lines}`;
  }
  if (ctx.events !== undefined && counts?.events !== ctx.events) {
    return `delivered ${String(counts?.events)} events, expected ${ctx.events}`;
  }
  return undefined;
}

/** {@link verifyTailed}, and `apim_requests_total` summing to the events (the prometheus scenarios). */
export function verifyRequestsTailed(stdout: string, ctx: ScenarioContext): string | undefined {
  const counts = lastJsonLine(stdout);
  if (counts?.requests !== counts?.events) {
    return `apim_requests_total sums to ${String(counts?.requests)}, expected ${String(counts?.events)}`;
  }
  return verifyTailed(stdout, ctx);
}
