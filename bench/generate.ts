/**
 * Writes a synthetic WSO2 `apim_metrics.log` for benchmarks and demos:
 *   npx tsx bench/generate.ts --lines 1000000 --out /tmp/x.log [--seed 1] [--apis 50] [--variants]
 * Prints {out, lines, bytes, response, faulty, ai, seconds} as JSON.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeGeneratedFile } from './lib/data-file.js';

const USAGE =
  'usage: tsx bench/generate.ts --lines N --out FILE [--seed N] [--apis N] [--applications N] [--users N]\n' +
  '       [--faulty-ratio X] [--ai-ratio X] [--variants]\n';

function numberArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      apis: { type: 'string' },
      applications: { type: 'string' },
      users: { type: 'string' },
      'faulty-ratio': { type: 'string' },
      'ai-ratio': { type: 'string' },
      variants: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const lines = numberArg(values.lines, 'lines');
  if (values.help || lines === undefined || values.out === undefined) {
    process.stderr.write(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const written = await writeGeneratedFile(resolve(values.out), lines, {
    seed: numberArg(values.seed, 'seed'),
    apis: numberArg(values.apis, 'apis'),
    applications: numberArg(values.applications, 'applications'),
    users: numberArg(values.users, 'users'),
    faultyRatio: numberArg(values['faulty-ratio'], 'faulty-ratio'),
    aiRatio: numberArg(values['ai-ratio'], 'ai-ratio'),
    variants: values.variants,
  });
  const stats = written.stats!;
  const report = {
    out: written.path,
    lines: written.lines,
    bytes: written.bytes,
    response: stats.response,
    faulty: stats.faulty,
    ai: stats.ai,
    shapes: stats.shapes,
    seconds: Number(written.seconds.toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
