import { type ConfigEnv, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { GaxError } from '../errors.js';
import { formatProblem } from './check-config.js';

/** The configuration a one-shot command runs with; every problem is thrown as details (exit 2). */
export async function loadCommandConfig(path: string, env: ConfigEnv = process.env): Promise<Config> {
  const loaded = await loadConfig(path, env);
  if (!loaded.ok) {
    throw new GaxError('GAX_ERR_CONFIG_INVALID', `${path} is not a valid configuration`, {
      details: loaded.problems.map((p) => formatProblem(path, p)),
    });
  }
  return loaded.config;
}

/** A duration (`90s`, `2h`) or an ISO-8601 time → epoch ms; `now` for durations ("that long ago"). */
export function parseSince(text: string, now = Date.now()): number | undefined {
  const duration = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (duration !== null) {
    const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 'ms'];
    return now - Number(duration[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
