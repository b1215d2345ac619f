// Pipeline with the prometheus plugin: the real daemon (in process, see in-process.mjs) with only
// the prometheus plugin enabled (`maxEventAge: 0s`, as generated files are old; every other plugin
// setting the default) and its HTTP server on 127.0.0.1, a free port. It tails FILE from its
// beginning (pollIntervalMs 50, as tail.mjs) until `--events N` events are delivered (the daemon's
// own counts, checked every 5 ms) or, without `--events`, nothing new arrived for `--idle-ms`
// (default 1000). Then one GET /metrics must show `gax_events_delivered_total{plugin="prometheus"}`
// equal to the delivered count. Prints {"lines","events","seconds","scrapeMs","bodyBytes",
// "requests","series","stopSeconds"}: `seconds` from daemon start to the last event delivered,
// `requests` the sum of apim_requests_total, `series` its label sets. Needs `npm run build`.
import { parseArgs } from 'node:util';
import { runUntilDelivered } from './in-process.mjs';
import { sample, samples, scrape } from './scrape.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string' }, 'idle-ms': { type: 'string', default: '1000' } },
});
const file = positionals[0];
if (file === undefined) {
  process.stderr.write('usage: node bench/drivers/prometheus.mjs FILE [--events N] [--idle-ms MS]\n');
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);
const stallMs = expected === undefined ? Number(values['idle-ms']) : 10_000;

const run = await runUntilDelivered({
  file,
  id: 'prometheus',
  server: { enabled: true, host: '127.0.0.1', port: 0 },
  plugins: { file: { enabled: false }, prometheus: { enabled: true, maxEventAge: '0s' } },
  expected,
  stallMs,
  beforeClose: (tail) => scrape(`${tail.daemon.url}/metrics`, { keep: true }),
});
const { lines, events, seconds, stopSeconds } = run;
const scraped = run.extra;
const text = scraped.text ?? '';
const shown = sample(text, 'gax_events_delivered_total{plugin="prometheus"}');
const requests = samples(text, 'apim_requests_total');
if (scraped.status !== 200 || shown !== events) {
  process.stderr.write(`error: /metrics (${scraped.status}) shows ${shown} delivered, daemon ${events}\n`);
  process.exitCode = 1;
}
process.stdout.write(
  `${JSON.stringify({
    lines,
    events,
    seconds,
    scrapeMs: Number(scraped.ms.toFixed(1)),
    bodyBytes: scraped.bytes,
    requests: requests.reduce((sum, s) => sum + s.value, 0),
    series: requests.length,
    stopSeconds,
  })}\n`,
);
