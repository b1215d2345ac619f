// Shared by the drivers that time a whole server process as a user runs it (gax-run-plugins.mjs for `gax
// run`, otelcol.mjs for the OpenTelemetry Collector): spawn it, poll its Prometheus endpoint until
// the counts are complete, read its own CPU and peak RSS from /proc, stop it by PID with SIGTERM and
// wait for its exit. Everything listens on 127.0.0.1 only.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { scrape } from './scrape.mjs';

const CLOCK_TICKS = 100;
/** No new count for this long with an `expected` count: stuck. */
const STUCK_MS = 30_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 now (for a server that cannot be given port 0 and tell its port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The process's own CPU seconds (user + sys, not its children) and peak RSS in MiB (`VmHWM`), from
 * /proc; undefined once it has gone.
 */
export async function procUsage(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After the command name: field 3 (state) is [0]; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssMiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
    return { cpuSeconds, rssMiB };
  } catch {
    return undefined;
  }
}

/** Sum and count of the samples whose metric name matches `name` (a RegExp source), any labels. */
export function sumSamples(text, name) {
  let sum = 0;
  let series = 0;
  for (const m of text.matchAll(new RegExp(`^(?:${name})(?:\\{[^\\n]*\\})? (\\S+)$`, 'gm'))) {
    sum += Number(m[1]);
    series++;
  }
  return { sum, series };
}

/**
 * Polls `url()` (undefined while the server has not said where it listens) until `check(text)`
 * says `done`, or `child` exits, or `check`'s `count` has not changed for `stallMs` while
 * `expected` is undefined (a `--file` input: the count is whatever arrived) or for 30 s otherwise
 * (stuck: not done). Never two GETs at once, and they are paced so that the polling is
 * not itself the load (a large /metrics takes tens of ms to render, more in a busy server): the next
 * GET starts half the estimated time to completion after the previous response ended (from the
 * count's rate so far), but at least twice the last GET's duration (so scraping takes at most a
 * third of the time) and `minMs`, and at most `maxMs`, later. Resolves to `{ done, result, text,
 * at, lastChangeAt, getMs }`: `at` the `performance.now()` at which the completing response ended,
 * `lastChangeAt` when the count last changed, `getMs` every GET's duration.
 */
export async function pollMetrics({ url, check, child, expected, stallMs = 1000, minMs = 20, maxMs = 1000 }) {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const started = performance.now();
  let result;
  let text = '';
  let count = 0;
  let lastChangeAt = started;
  const getMs = [];
  for (;;) {
    if (exited) return { done: false, result, text, at: performance.now(), lastChangeAt, getMs, exited };
    const where = url();
    const got = where === undefined ? undefined : await scrape(where, { keep: true }).catch(() => undefined);
    const at = performance.now();
    let wait = minMs;
    let floor = minMs;
    if (got?.status === 200) {
      floor = Math.max(minMs, 2 * got.ms);
      getMs.push(got.ms);
      text = got.text;
      result = check(text);
      if (result.done) return { done: true, result, text, at, lastChangeAt: at, getMs };
      if (result.count !== count) [count, lastChangeAt] = [result.count, at];
      const rate = count / Math.max(1, lastChangeAt - started); // per ms
      if (expected !== undefined && rate > 0) wait = (expected - count) / rate / 2;
    }
    const quiet = at - lastChangeAt;
    if (expected === undefined && count > 0 && quiet >= stallMs) {
      return { done: true, result, text, at: lastChangeAt, lastChangeAt, getMs };
    }
    if (quiet >= STUCK_MS) return { done: false, result, text, at, lastChangeAt, getMs };
    await sleep(Math.min(maxMs, Math.max(floor, wait)));
  }
}

/**
 * Sends SIGTERM to `child` (by its PID) and waits for it to exit, SIGKILLing it after `graceMs`.
 * Resolves to `{ code, signal, seconds }`.
 */
export async function stopByPid(child, graceMs = 30_000) {
  const started = performance.now();
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve([child.exitCode, child.signalCode])
      : new Promise((r) => child.once('exit', (code, signal) => r([code, signal])));
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
  const killer = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  const [code, signal] = await exited;
  clearTimeout(killer);
  return { code, signal, seconds: (performance.now() - started) / 1000 };
}

/** Keeps the last `max` characters of a stream (a child's log), for error reports. */
export function tailOf(stream, max = 4096) {
  let text = '';
  stream?.setEncoding('utf8').on('data', (s) => {
    text = (text + s).slice(-max);
  });
  return () => text;
}
