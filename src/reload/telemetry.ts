import type { Logger } from 'pino';
import type { ConfigProblem } from '../config/load.js';
import type { ErrorCode } from '../errors.js';
import type { SelfMetrics } from '../telemetry/metrics.js';

/**
 * `applied`: every change is in effect. `rejected`: nothing changed (invalid, or needs a
 * restart). `failed`: applied except the parts named in `problems`, which kept their previous
 * setting. `ignored`: the daemon was not running (starting or stopping).
 */
export type ReloadResult = 'applied' | 'rejected' | 'failed' | 'ignored';

export interface ReloadOutcome {
  readonly result: ReloadResult;
  /** Config paths that changed (`plugins.file`, `inputs`); empty when nothing did or was applied. */
  readonly changes: readonly string[];
  readonly problems: readonly string[];
}

/** Each reload outcome is one function that logs and counts (`gax_config_*`). */
export interface ReloadTelemetry {
  /** A configuration was put in effect at start-up. */
  loaded(): void;
  applied(changes: readonly string[], ms: number): ReloadOutcome;
  rejected(code: ErrorCode, problems: readonly string[]): ReloadOutcome;
  failed(changes: readonly string[], problems: readonly string[], ms: number): ReloadOutcome;
  ignored(state: string): ReloadOutcome;
}

export function createReloadTelemetry(metrics: SelfMetrics, logger: Logger): ReloadTelemetry {
  for (const result of ['applied', 'rejected', 'failed']) metrics.configReloads.inc({ result }, 0);
  const success = (ok: boolean): void => {
    metrics.configLastReloadSuccessful.set(ok ? 1 : 0);
    if (ok) metrics.configLastReloadSuccessTime.set(Date.now() / 1000);
  };
  return {
    loaded() {
      success(true);
    },
    applied(changes, ms) {
      metrics.configReloads.inc({ result: 'applied' });
      success(true);
      logger.info({ changes, ms: Math.round(ms) }, 'Configuration reloaded.');
      return { result: 'applied', changes, problems: [] };
    },
    rejected(code, problems) {
      metrics.configReloads.inc({ result: 'rejected' });
      success(false);
      logger.error({ code, problems }, 'Configuration reload rejected; the running configuration is kept.');
      return { result: 'rejected', changes: [], problems };
    },
    failed(changes, problems, ms) {
      metrics.configReloads.inc({ result: 'failed' });
      success(false);
      logger.error(
        { code: 'GAX_ERR_RELOAD_FAILED' satisfies ErrorCode, changes, problems, ms: Math.round(ms) },
        'Configuration reload applied in part; the parts that failed kept their previous setting.',
      );
      return { result: 'failed', changes, problems };
    },
    ignored(state) {
      logger.info({ state }, 'Configuration reload ignored: the daemon is not running.');
      return { result: 'ignored', changes: [], problems: [] };
    },
  };
}

/** One problem of the loader on one line: `3:7 pipeline.batchMaxEvents: must be >= 1 [CODE]`. */
export function describeProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? '' : `${problem.line}:${problem.column ?? 1} `;
  const what = problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
  return `${where}${what} [${problem.code}]`;
}
