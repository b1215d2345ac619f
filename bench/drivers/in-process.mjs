// Shared by the daemon drivers: the real daemon (`dist/`, needs `npm run build`) run in this process
// on a temp state dir, by default with a counting plugin in place of the `file` plugin (tail.mjs,
// latency.mjs), or with real plugins only (prometheus.mjs, metrics-render.mjs). Nothing else is
// replaced: the tailer, parser, batching, lanes and checkpointing are the daemon's own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../dist/src/config/load.js';
import { Daemon } from '../../dist/src/daemon.js';
import { silentLogger } from '../../dist/src/telemetry/logger.js';

/**
 * Starts a daemon that tails `file` (a glob pattern as in the config; give a plain path) from its
 * beginning. `input` adds keys to the input section (e.g. `pollIntervalMs`); everything else is
 * the config defaults. `onBatch(events, now)` sees every batch the pipeline sends to the plugin,
 * `now` being `performance.now()` at the start of `send`. Without `onBatch` no plugin is replaced:
 * `plugins` (the config's plugins section) and `server` (its server section, default disabled) say
 * what runs. Returns `{ daemon, config, linesRead, close }`.
 */
export async function startDaemon({ file, input = {}, onBatch, plugins, server = { enabled: false } }) {
  const dir = await mkdtemp(join(tmpdir(), 'gax-bench-daemon-'));
  // JSON is YAML: no quoting problems with odd paths.
  const yaml = JSON.stringify({
    inputs: [{ paths: [file], from: 'beginning', ...input }],
    state: { dir },
    server,
    plugins: plugins ?? {
      file: { enabled: true, path: join(dir, 'unused.ndjson') },
      prometheus: { enabled: false },
    },
  });
  const parsed = parseConfig(yaml, { env: {} });
  if (!parsed.ok) {
    throw new Error(
      `bench config rejected: ${parsed.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    );
  }
  const daemon = new Daemon({
    config: parsed.config,
    logger: silentLogger(),
    version: 'bench',
    plugins: onBatch === undefined ? {} : { file: countingPlugin(onBatch) },
  });
  await daemon.start();
  return {
    daemon,
    config: parsed.config,
    /** Lines the tailer handed to the parser so far (the daemon's own counter). */
    linesRead: async () => sumOf(await daemon.metrics.linesRead.get()),
    /** Stops the daemon (flushing what is in flight) and removes the state dir. */
    close: async () => {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A plugin that acknowledges every event at once and reports each batch to `onBatch`. */
export function countingPlugin(onBatch) {
  return {
    async start() {},
    async send(batch) {
      onBatch(batch, performance.now());
      return batch.map(() => ({ status: 'delivered' }));
    },
    async stop() {},
  };
}

function sumOf(metric) {
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

/** Resolves once `done()` is true, or `stallMs` after `progress()` last changed (then it gives up). */
export function waitUntil({ done, progress, stallMs, everyMs = 20 }) {
  return new Promise((resolve) => {
    let last = progress();
    let changedAt = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const current = progress();
      if (current !== last) {
        last = current;
        changedAt = now;
      }
      if (done() || now - changedAt >= stallMs) {
        clearInterval(timer);
        resolve(done());
      }
    }, everyMs);
  });
}

/**
 * The pipeline drivers' run (prometheus.mjs, elasticsearch.mjs, datadog.mjs): starts a daemon on
 * `file` (pollIntervalMs 50, as tail.mjs) with `plugins` and `server`, and waits, checking the
 * daemon's own counts every 5 ms, until plugin `id` has delivered or dead-lettered `expected`
 * events or, when `expected` is undefined, delivered nothing new for `stallMs`. Then
 * `beforeClose(tail)` (e.g. a final scrape) and the stop. Resolves to `{ lines, events,
 * deadLettered, seconds, readSeconds, stopSeconds, extra }`: `seconds` from daemon start to the last
 * event delivered, `readSeconds` to the last line read (sampled every 50 ms), `extra` what
 * `beforeClose` returned.
 */
export async function runUntilDelivered({ file, id, plugins, server, expected, stallMs, beforeClose }) {
  const started = performance.now();
  const tail = await startDaemon({ file, input: { pollIntervalMs: 50 }, plugins, server });
  const counts = () => tail.daemon.counts()[id] ?? { delivered: 0, deadLettered: 0 };
  let last = 0;
  let lastAt = started;
  let linesRead = 0;
  let readAt = started;
  const reader = setInterval(() => {
    void tail.linesRead().then((n) => {
      if (n !== linesRead) [linesRead, readAt] = [n, performance.now()];
    });
  }, 50);
  await waitUntil({
    done: () => expected !== undefined && counts().delivered + counts().deadLettered >= expected,
    progress: () => {
      const now = counts().delivered;
      if (now !== last) [last, lastAt] = [now, performance.now()];
      return now;
    },
    stallMs,
    everyMs: 5,
  });
  clearInterval(reader);
  const seconds = (lastAt - started) / 1000;
  const { delivered: events, deadLettered } = counts();
  const extra = beforeClose === undefined ? undefined : await beforeClose(tail);
  const stopping = performance.now();
  await tail.close();
  const lines = await tail.linesRead();
  const stopSeconds = (performance.now() - stopping) / 1000;
  return { lines, events, deadLettered, seconds, readSeconds: (readAt - started) / 1000, stopSeconds, extra };
}
