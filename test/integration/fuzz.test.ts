import { appendFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { createRandom, type Random } from '../../src/parsers/wso2-apim/sim/random.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { startCli } from '../helpers/cli.js';
import { readNdjson, sample, testConfig, waitFor } from '../helpers/daemon.js';
import { type FuzzLine, fuzzCorpus, fuzzSeed } from '../helpers/fuzz-lines.js';
import { canonicalJson, deadLetterKey, expectedOutcome, multisetDiff } from '../helpers/fuzz-oracle.js';
import { responseLine } from '../helpers/lines.js';

// Hostile input (issue 9): 100,000 mutated and random lines through the real `gax run`. The seed
// is printed; GAX_FUZZ_SEED=<seed> replays the same bytes (append timing differs, the outcome
// must not).
const SEED = fuzzSeed();
const LINES = 100_000;
const MAX_LINE_BYTES = 64 * 1024;
const PLUGINS = ['file', 'prometheus'] as const;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-fuzz-'));
  await mkdir(join(dir, 'logs'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`hostile input through the daemon (seed ${SEED}; replay with GAX_FUZZ_SEED=${SEED})`, () => {
  it('never crashes, and turns every line into exactly its event, rejection or skip', async () => {
    const started = Date.now();
    const corpus = fuzzCorpus({ seed: SEED, count: LINES, maxLineBytes: MAX_LINE_BYTES });
    const r = createRandom(SEED ^ 0x2f1e);
    // File 1: 40 % written before start, 30 % appended while running, its last line without `\n`;
    // then it is rotated away (rename) and file 2 gets the rest, ending in an over-long line
    // without `\n`.
    const before = lines(corpus.slice(0, 40_000), true);
    const during = lines(corpus.slice(40_000, 70_000), false);
    const after = Buffer.concat([
      Buffer.from(`fuzz seed ${SEED}: after rotation\n`),
      lines(corpus.slice(70_000), true),
      Buffer.alloc(3 * MAX_LINE_BYTES + 7, 'x'),
    ]);
    const expected = expectedOutcome([Buffer.concat([before, during]), after], MAX_LINE_BYTES);
    expect(expected.lines).toBeGreaterThanOrEqual(LINES);
    const prepared = Date.now();

    const log = join(dir, 'logs', 'apim_metrics.log');
    await writeFile(log, before);
    const config = join(dir, 'gax.yaml');
    await writeFile(config, daemonConfig(dir, log));
    const daemon = startCli(['run', '--config', config]);
    const rss = sampleRss(daemon.child.pid as number);
    try {
      const url = await listening(daemon.output);
      await appendInChunks(log, during, r);
      await rename(log, join(dir, 'logs', 'apim_metrics-1.log'));
      await appendInChunks(log, after, r);

      // The checkpoint is the cheap signal (rendering /metrics is not, with fuzzed label values):
      // it reaches the end of both files only after every line's outcome was counted.
      const sizes = { 'apim_metrics-1.log': before.length + during.length, 'apim_metrics.log': after.length };
      const metrics = async () => (await fetch(`${url}/metrics`)).text();
      const alive = (): void => {
        if (daemon.child.exitCode !== null)
          throw new Error(`gax exited with ${daemon.child.exitCode}: ${daemon.output().slice(-3000)}`);
      };
      await waitFor(
        () => {
          alive();
          return committedToEnd(join(dir, 'state', 'checkpoint.json'), sizes);
        },
        120_000,
        'every plugin to commit the end of both files',
      ).catch(async (err: Error) => {
        alive();
        throw new Error(
          `${err.message} (seed ${SEED}; ${expected.lines} lines; want ${JSON.stringify(sizes)}):\n` +
            `${progress(await metrics())}\ncheckpoint: ${await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8').catch(String)}`,
        );
      });
      const maxRss = rss.stop();
      const done = Date.now();
      const text = await metrics();
      const events = expected.events.length;
      for (const plugin of PLUGINS) {
        expect(sample(text, `gax_lines_read_total{plugin="${plugin}"}`)).toBe(expected.lines);
        expect(sample(text, `gax_events_delivered_total{plugin="${plugin}"}`)).toBe(events);
        expect(byLabel(text, 'gax_lines_rejected_total', plugin), plugin).toEqual(expected.rejects);
        expect(byLabel(text, 'gax_lines_skipped_total', plugin), plugin).toEqual(expected.skips);
        expect(byLabel(text, 'gax_events_parsed_total', plugin), plugin).toEqual(expected.eventTypes);
      }
      const rejected = Object.values(expected.rejects).reduce((a, b) => a + b, 0);
      const skipped = Object.values(expected.skips).reduce((a, b) => a + b, 0);
      expect(events + rejected + skipped).toBe(expected.lines);

      const output = await readNdjson(join(dir, 'out', 'events.ndjson'));
      expect(multisetDiff(output.map(canonicalJson), expected.events)).toEqual({ onlyA: [], onlyB: [] });

      const dead = await readDeadLetters(join(dir, 'state', 'dead-letter.ndjson'));
      expect(dead.filter((d) => d.stage !== 'parse')).toEqual([]);
      const keys = dead.map((d) =>
        deadLetterKey(d.source?.offset ?? -1, d.reason, d.detail ?? '', d.line ?? ''),
      );
      expect(multisetDiff(keys, expected.deadLetters)).toEqual({ onlyA: [], onlyB: [] });

      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      // Warnings only for the rejected lines (rate-limited), nothing worse.
      const warnings = new Set(
        logLines(daemon.output()).flatMap((l) => ((l.level ?? 0) >= 40 ? [l.msg] : [])),
      );
      expect([...warnings]).toEqual(['Line rejected; kept in the dead-letter file.']);
      console.log(
        `fuzz seed ${SEED}: ${expected.lines} lines → ${events} events ${JSON.stringify(expected.eventTypes)}, ` +
          `rejects ${JSON.stringify(expected.rejects)}, skips ${JSON.stringify(expected.skips)}; ` +
          `${(before.length + during.length + after.length) >> 20} MiB, ` +
          `daemon max RSS ${maxRss} MiB, /metrics ${Buffer.byteLength(text) >> 20} MiB; ` +
          `corpus and oracle ${seconds(started, prepared)}, start to all committed ${seconds(prepared, done)}, ` +
          `checks and stop ${seconds(done, Date.now())}`,
      );
    } finally {
      rss.stop();
      if (daemon.child.exitCode === null) {
        daemon.child.kill('SIGKILL');
        await daemon.exited;
      }
    }
  }, 240_000);

  // Found by this test: the event's JSON.stringify overflowed the stack, the file plugin took
  // that for a write error and retried the batch forever; nothing after the line was delivered.
  it('dead-letters a record nested 10,000 levels deep and delivers the events around it', async () => {
    const deep = responseLine('deep').replace('{', `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)},`);
    await writeFile(
      join(dir, 'logs', 'apim_metrics.log'),
      `${responseLine('a')}\n${deep}\n${responseLine('b')}\n`,
    );
    const daemon = new Daemon({ config: testConfig(dir), logger: silentLogger(), version: 'test' });
    await daemon.start();
    try {
      const events = () => readNdjson<{ correlationId: string }>(join(dir, 'out', 'events.ndjson'));
      await waitFor(async () => (await events()).length === 2, 10_000, 'the events before and after');
      expect((await events()).map((e) => e.correlationId)).toEqual(['a', 'b']);
      expect(await readNdjson(join(dir, 'state', 'dead-letter.ndjson'))).toEqual([
        expect.objectContaining({
          stage: 'parse',
          reason: 'invalid_field',
          detail: 'x: nested deeper than 64 levels',
        }),
      ]);
    } finally {
      await daemon.stop();
    }
  });
});

function seconds(from: number, to: number): string {
  return `${((to - from) / 1000).toFixed(1)} s`;
}

/** The lines joined by `\n`; with `terminated` the last one gets its `\n` too. */
function lines(entries: readonly FuzzLine[], terminated: boolean): Buffer {
  const parts: Buffer[] = [];
  const newline = Buffer.from('\n');
  entries.forEach((entry, i) => {
    parts.push(entry.bytes);
    if (terminated || i < entries.length - 1) parts.push(newline);
  });
  return Buffer.concat(parts);
}

function daemonConfig(dir: string, log: string): string {
  const q = JSON.stringify;
  return [
    'inputs:',
    `  - paths: [${q(log)}]`,
    '    pollIntervalMs: 20',
    `    maxLineBytes: ${MAX_LINE_BYTES}`,
    // Appends come in pieces cut anywhere: a piece must not be taken for a finished line.
    '    partialLineTimeoutMs: 3000',
    `state: { dir: ${q(join(dir, 'state'))} }`,
    'server: { host: 127.0.0.1, port: 0 }',
    'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 5000 }',
    'log: { level: info, format: json }',
    'plugins:',
    `  file: { enabled: true, path: ${q(join(dir, 'out', 'events.ndjson'))}, fsync: never }`,
    '  prometheus: { enabled: true, maxEventAge: 0s }',
    '',
  ].join('\n');
}

async function listening(output: () => string): Promise<string> {
  let url = '';
  await waitFor(
    () => {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output())?.[1] ?? '';
      return url !== '';
    },
    15_000,
    'the daemon to listen',
  );
  return url;
}

/** Appends `data` in pieces of 1 B to 256 KiB cut anywhere (inside lines and UTF-8 sequences). */
async function appendInChunks(path: string, data: Buffer, r: Random): Promise<void> {
  for (let at = 0; at < data.length; ) {
    const size = Math.ceil(2 ** (r.float() * 18));
    await appendFile(path, data.subarray(at, at + size));
    at += size;
    if (r.chance(0.05)) await new Promise((resolve) => setTimeout(resolve, r.int(20)));
  }
}

/** `{ <reason or event_type>: value }` of one plugin's samples of a counter. */
function byLabel(exposition: string, metric: string, plugin: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(
    `^${metric}\\{plugin="${plugin}",(?:reason|event_type)="([a-z_]+)"\\} (\\d+)$`,
    'gm',
  );
  for (const match of exposition.matchAll(pattern)) {
    const value = Number(match[2]);
    if (value > 0) out[match[1] as string] = value;
  }
  return out;
}

function progress(exposition: string): string {
  return exposition
    .split('\n')
    .filter((l) => /^gax_(lines|events|plugin_queue|read_bytes)/.test(l))
    .join('\n');
}

interface DeadLetter {
  stage: string;
  reason: string;
  detail?: string;
  line?: string;
  source?: { offset: number };
}

/** The dead-letter records, the rotated-away file's first. */
async function readDeadLetters(path: string): Promise<DeadLetter[]> {
  return [...(await readNdjson<DeadLetter>(`${path}.1`)), ...(await readNdjson<DeadLetter>(path))];
}

function logLines(output: string): { level?: number; msg?: string }[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level?: number; msg?: string });
}

/** Whether every plugin's checkpoint is at the end of each file (by name, at its size). */
async function committedToEnd(path: string, sizes: Record<string, number>): Promise<boolean> {
  type Checkpoint = { plugins: Record<string, { files: Record<string, { offset: number; path: string }> }> };
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const checkpoint = JSON.parse(text) as Checkpoint;
  return PLUGINS.every((plugin) => {
    const files = Object.values(checkpoint.plugins[plugin]?.files ?? {});
    return Object.entries(sizes).every(([name, size]) =>
      files.some((f) => basename(f.path) === name && f.offset === size),
    );
  });
}

/** Polls the child's resident set size (Linux /proc); `stop` returns the largest, in MiB. */
function sampleRss(pid: number): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => {
    readFile(`/proc/${pid}/status`, 'utf8')
      .then((status) => {
        const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        max = Math.max(max, kib);
      })
      .catch(() => undefined);
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(max / 1024);
    },
  };
}
