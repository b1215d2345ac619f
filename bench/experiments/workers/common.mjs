// Shared by the worker-thread experiments (README.md here): where the built modules are, the
// prometheus settings every variant uses, chunk reading (main thread or worker, 256 KiB), the one
// chunk → lines → parse function both threads run, and per-thread CPU from /proc.
import { openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The built tree to measure: `GAX_DIST` (a stable worktree's dist/), else this clone's. */
export const DIST = resolve(process.env.GAX_DIST ?? resolve(here, '../../../dist'));

/** `import()` of a module under dist/, e.g. `dist('src/parsers/index.js')`. */
export function dist(path) {
  return import(pathToFileURL(resolve(DIST, path)).href);
}

/** prom-client as the built tree resolves it (one copy of the library, not two). */
export function promClient() {
  const require = createRequire(resolve(DIST, 'src/x.js'));
  return import(pathToFileURL(require.resolve('prom-client')).href);
}

export const CHUNK_BYTES = Number(process.env.GAX_CHUNK_BYTES ?? 256 * 1024);

/**
 * The prometheus section every variant uses: the plugin's defaults (plugins/prometheus/config.ts),
 * except `cap`/`maxLen` when given, to exercise the series cap and label truncation.
 */
export function prometheusSettings({ cap = 10_000, maxLen = 1024 } = {}) {
  return {
    enabled: true,
    maxEventAge: '0s',
    labels: { application: false, user: false },
    maxSeriesPerMetric: cap,
    maxLabelValueLength: maxLen,
    metricPrefix: 'apim',
    allowLabels: {},
    buckets: {
      latency: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      responseSize: [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000],
    },
  };
}

/** Loads the WSO2 format and the origin the reader stamps (`gateway`, no host). */
export async function loadFormat() {
  const { findFormat } = await dist('src/parsers/index.js');
  const { eventOrigin } = await dist('src/parsers/origin.js');
  const format = findFormat('wso2-apim');
  if (format === undefined) throw new Error('no wso2-apim format in dist');
  return { format, origin: eventOrigin(format.name, undefined) };
}

/**
 * One chunk of complete lines (`buf[0, length)`, starting at file offset `startOffset`) parsed:
 * calls `onEvent(parsed)` for each event (origin stamped) and returns the chunk's counts and its
 * rejects (dead letters with the byte offset after the line, as src/sources/ingest.ts).
 */
export function parseChunk(buf, length, startOffset, format, origin, onEvent) {
  const text = buf.toString('utf8', 0, length);
  const parser = format.parser;
  const options = { maxLineBytes: format.maxLineBytes };
  const rejects = [];
  let lines = 0;
  let events = 0;
  let skips = 0;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    const line = text.slice(start, end);
    lines++;
    const result = parser.parseLine(line, options);
    if (result.kind === 'event') {
      result.event.gateway = origin.gateway;
      events++;
      onEvent(result);
    } else if (result.kind === 'skip') skips++;
    else {
      // Rare path: the line's end as a byte offset, for the dead letter.
      const offset = startOffset + Buffer.byteLength(text.slice(0, end + 1));
      rejects.push({ offset, reason: result.reason, detail: result.detail, line });
    }
    start = end + 1;
  }
  return { lines, events, skips, rejects };
}

/**
 * The main thread's reader: sequential 256 KiB reads, each a fresh ArrayBuffer holding only
 * complete lines (the partial last line is copied into the next), as `{ buf, length, startOffset }`.
 * `buf.buffer` can be transferred to a worker.
 */
export function* mainChunks(file) {
  const fd = openSync(file, 'r');
  let carry = Buffer.alloc(0);
  let offset = 0;
  for (;;) {
    const buf = Buffer.allocUnsafeSlow(carry.length + CHUNK_BYTES);
    carry.copy(buf, 0);
    const n = readSync(fd, buf, carry.length, CHUNK_BYTES, offset + carry.length);
    const filled = carry.length + n;
    if (n === 0) {
      if (filled > 0) throw new Error('file does not end with a newline');
      return;
    }
    const last = buf.lastIndexOf(0x0a, filled - 1);
    if (last === -1) {
      carry = buf.subarray(0, filled);
      continue;
    }
    const length = last + 1;
    carry = Buffer.from(buf.subarray(length, filled));
    yield { buf, length, startOffset: offset };
    offset += length;
  }
}

/**
 * A worker's own read of the byte range `[start, end)`: the lines that begin in it (a line begins
 * at 0 or after a newline), read to their newline, possibly past `end`. Ranges that tile the file
 * give every line exactly once, in order.
 */
export function readRange(fd, start, end) {
  const from = start === 0 ? 0 : start - 1;
  let buf = Buffer.allocUnsafe(end - from);
  let filled = readSync(fd, buf, 0, buf.length, from);
  // Extend to the newline ending the last line that begins before `end`.
  while (filled > 0 && buf[filled - 1] !== 0x0a) {
    const more = Buffer.allocUnsafe(64 * 1024);
    const n = readSync(fd, more, 0, more.length, from + filled);
    if (n === 0) break;
    const nl = more.indexOf(0x0a);
    const take = nl === -1 || nl >= n ? n : nl + 1;
    buf = Buffer.concat([buf.subarray(0, filled), more.subarray(0, take)]);
    filled = buf.length;
  }
  let first = 0;
  if (start > 0) first = buf[0] === 0x0a ? 1 : buf.indexOf(0x0a) + 1;
  if (first === 0 && start > 0) return { buf: buf.subarray(0, 0), length: 0, startOffset: start };
  const chunk = buf.subarray(first, filled);
  return { buf: chunk, length: chunk.length, startOffset: from + first };
}

/** `[start, end)` ranges of CHUNK_BYTES tiling the file. */
export function ranges(file) {
  const size = statSync(file).size;
  const out = [];
  for (let s = 0; s < size; s += CHUNK_BYTES) out.push([s, Math.min(size, s + CHUNK_BYTES)]);
  return { size, ranges: out };
}

const TICK_S = 0.01; // CLK_TCK = 100 on Linux

/** CPU seconds (user + system) of this process's main thread so far (/proc, 10 ms ticks). */
export function mainThreadCpuS() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

/** Whole-process CPU seconds (all threads). */
export function processCpuS() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Peak RSS of the process, MiB. */
export function peakRssMiB() {
  return process.resourceUsage().maxRSS / 1024;
}
