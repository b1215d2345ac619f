import { join } from 'node:path';
import { MTAIL, MTAIL_MISSING, MTAIL_PROGS, mtailVersion } from '../lib/mtail.js';
import type { Scenario } from '../lib/scenario.js';

/** The apim_requests_total samples of a Prometheus text exposition: how many, and their sum. */
function requests(text: string): { series: number; sum: number } {
  let series = 0;
  let sum = 0;
  for (const m of text.matchAll(/^apim_requests_total\{.*\} (\S+)$/gm)) {
    series++;
    sum += Number(m[1]);
  }
  return { series, sum };
}

/**
 * mtail, the log-to-metrics peer, computing the prometheus plugin's metrics with an equivalent
 * program (`bench/mtail/apim.mtail`) over the whole file in one shot, then printing them: the
 * non-Node reference for `pipeline-prometheus` (issue #8: the pipeline at least 4× mtail's lines/s).
 */
export const mtailOneshot = {
  name: 'mtail-oneshot',
  description:
    'mtail --one_shot with `bench/mtail/apim.mtail` (the prometheus plugin’s metrics as regexes) reads FILE to its end and prints the metrics; apim_requests_total must sum to the events.',
  baseline: 'baseline-prom-client',
  unavailable: () => (mtailVersion() === undefined ? MTAIL_MISSING : undefined),
  command: (ctx) => ({
    command: MTAIL,
    args: [
      '--one_shot',
      '--one_shot_format',
      'prometheus',
      '--progs',
      join(ctx.repoRoot, MTAIL_PROGS),
      '--logs',
      ctx.file,
      '--logtostderr', // glog would write files to $TMPDIR
      // One-shot mode still starts the HTTP server: loopback, any free port.
      '--address',
      '127.0.0.1',
      '--port',
      '0',
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const { series, sum } = requests(stdout);
    if (series === 0) return 'no apim_requests_total in the output';
    if (ctx.events !== undefined && sum !== ctx.events) {
      return `apim_requests_total sums to ${sum}, expected ${ctx.events}`;
    }
    return undefined;
  },
  metrics: (stdout) => {
    const { series, sum } = requests(stdout);
    return {
      'mtail.apim_requests_total series': series,
      'mtail.requests': sum,
      'mtail.output MB': Buffer.byteLength(stdout) / 1e6,
    };
  },
  metricsTitle: 'mtail one-shot: what it printed',
} satisfies Scenario;
