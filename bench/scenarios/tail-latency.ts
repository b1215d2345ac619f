import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

const DAEMON = 'dist/src/daemon.js';
const PHASES = ['idle', 'loaded'] as const;
const FIGURES = ['rate', 'appended', 'batches', 'p50Ms', 'p90Ms', 'p99Ms', 'maxMs', 'meanMs'] as const;

/**
 * Delay from a line appended to a followed log to its event reaching a plugin, with the daemon's
 * default settings, idle (10 lines/s) and loaded (5,000 lines/s). Runs for a fixed time and ignores
 * the input file: its wall time is not a throughput figure, the percentiles are the result.
 */
export const tailLatency = {
  name: 'tail-latency',
  description:
    'Append → plugin delay with default settings: a writer appends generated lines to a log the daemon follows, 10 then 5,000 lines/s (`bench/drivers/latency.mjs`).',
  readsInput: false,
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON)) ? undefined : `${DAEMON} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/latency.mjs'),
      ...(ctx.quick ? ['--seconds', '3', '--idle-seconds', '3'] : []),
    ],
    captureStdout: true,
  }),
  verify: (stdout) => {
    const out = lastJsonLine(stdout);
    for (const name of PHASES) {
      const phase = out?.[name] as Record<string, number> | undefined;
      if (phase === undefined) return `no ${name} figures in the output`;
      const expected = Math.round(phase.rate! * phase.seconds!);
      if (phase.appended !== expected) return `${name}: appended ${phase.appended}, expected ${expected}`;
      if (phase.received !== phase.appended || phase.missing !== 0) {
        return `${name}: ${phase.received} of ${phase.appended} lines reached the plugin`;
      }
      if (phase.duplicates !== 0 || phase.unknown !== 0) {
        return `${name}: ${phase.duplicates} duplicate and ${phase.unknown} unknown events`;
      }
    }
    return undefined;
  },
  metrics: (stdout) => {
    const out = lastJsonLine(stdout);
    const figures: Record<string, number> = {};
    for (const name of PHASES) {
      const phase = out?.[name] as Record<string, number> | undefined;
      for (const key of FIGURES) figures[`${name}.${key}`] = Number(phase?.[key]);
    }
    return figures;
  },
  metricsTitle: 'Latency: line appended → event in the plugin, ms (daemon defaults)',
} satisfies Scenario;
