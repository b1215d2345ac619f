/**
 * `node --import tsx bench/lib/summaries-range-main.ts --url URL [--days 30] [--rate 50] [--apis 50]
 * [--apps 20] [--fraction 0.0333] [--runs 5]`: the `summaries-range-query` measurement
 * (summaries-range.ts) against the PostgreSQL at URL; prints its figures as one JSON line.
 */
import { parseArgs } from 'node:util';
import { measureRange } from './summaries-range.js';
import { DAY_MS } from './summaries-traffic.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    days: { type: 'string', default: '30' },
    rate: { type: 'string', default: '50' },
    apis: { type: 'string', default: '50' },
    apps: { type: 'string', default: '20' },
    fraction: { type: 'string', default: String(1 / 30) },
    runs: { type: 'string', default: '5' },
  },
});
if (values.url === undefined) {
  process.stderr.write(
    'usage: summaries-range-main.ts --url URL [--days D --rate R --apis A --apps P --fraction F --runs N]\n',
  );
  process.exit(2);
}
const figures = await measureRange(
  values.url,
  {
    days: Number(values.days),
    rate: Number(values.rate),
    apis: Number(values.apis),
    apps: Number(values.apps),
    fraction: Number(values.fraction),
    start: Date.UTC(2026, 9, 1),
  },
  Number(values.runs),
);
process.stdout.write(`${JSON.stringify({ ...figures, windowDays: figures.options.days, dayMs: DAY_MS })}\n`);
