/**
 * Rotation-correctness matrix, rows 11–12 (docs/operations.md "Rotation-correctness matrix"):
 * the filesystem failing reads of the log (ESTALE, EIO, injected into the real daemon's pread64
 * calls by strace) and a full disk under the state directory (a small tmpfs). The built
 * `gax run`, file plugin, counts of events delivered against events written.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/daemon.js';
import { freePort } from '../helpers/prometheus.js';
import {
  createRow,
  ensureStrace,
  fillDisk,
  finishRow,
  freeDisk,
  metricsText,
  mountTmpfs,
  type Row,
  underStrace,
  unmount,
} from '../helpers/rotation-matrix.js';
import { linesBefore, logRecords, readCheckpoint, type Sandbox, sleep } from '../helpers/tail-harness.js';

let row: Row | undefined;
let mounted: string | undefined;

beforeAll(async () => {
  await ensureStrace();
}, 15 * 60_000);

afterEach(async () => {
  await row?.daemons.killAll();
  if (mounted !== undefined) unmount(mounted);
  mounted = undefined;
  if (row !== undefined) await rm(row.box.dir, { recursive: true, force: true });
  row = undefined;
});

/** `gax_input_read_errors_total{plugin="file",code}` as served. */
async function readErrors(port: number, code: string): Promise<number> {
  const text = await metricsText(port);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`gax_input_read_errors_total{plugin="file",code="${code}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** `gax_checkpoint_write_failures` as served. */
async function writeFailures(port: number): Promise<number> {
  const line = (await metricsText(port))
    .split('\n')
    .find((l) => l.startsWith('gax_checkpoint_write_failures '));
  return Number(line?.split(' ').pop());
}

/** The checkpoint's offset of the one file it names, and whether the file parses as JSON at all. */
function savedOffset(box: Sandbox): number | undefined {
  const files = Object.values(readCheckpoint(box)?.plugins.file?.files ?? {});
  return files.length === 1 ? files[0]?.offset : undefined;
}

describe('rotation-correctness matrix (11–12)', () => {
  it('11. ESTALE then EIO from the filesystem: gax backs off, reopens, keeps its checkpoint, counts each error, never crashes', async () => {
    const port = await freePort();
    const r = await createRow(1101, { port });
    row = r;
    r.append(100);
    // pread64 calls on the log: the 1st fingerprints it; 3rd–8th fail with ESTALE.
    const first = r.daemons.start(r.box, underStrace(r.box.log, 'pread64', 'pread64:error=ESTALE:when=3..8'));
    await r.delivered('the lines before and through the ESTALE errors');
    r.append(100);
    await r.delivered('the lines after them');
    await waitFor(async () => (await readErrors(port, 'ESTALE')) === 6, 10_000, '6 ESTALE errors counted');
    expect(first.child.exitCode, first.output()).toBe(null);
    const logged = logRecords(first.output()).filter((l) => l.code === 'GAX_ERR_INPUT_READ');
    expect(logged.length, 'rate-limited error log lines').toBe(1);
    expect(await r.daemons.stop(first), first.output()).toBe(0);
    const saved = savedOffset(r.box);

    // Restarted on the saved offset while the first reads (the start-up fingerprint check among
    // them) fail with EIO: a start from 0 would repeat 200 events.
    r.append(100);
    const second = r.daemons.start(r.box, underStrace(r.box.log, 'pread64', 'pread64:error=EIO:when=1..4'));
    await r.delivered('the lines after the restart');
    await waitFor(async () => (await readErrors(port, 'EIO')) === 4, 10_000, '4 EIO errors counted');
    await finishRow('ESTALE/EIO from the filesystem', r, second);
    expect(saved, 'checkpoint offset after the ESTALE run').toBeGreaterThan(0);
  }, 90_000);

  it('12. a full disk under the state directory: the last checkpoint stays valid, reading pauses, and resumes when space returns; a crash meanwhile repeats only what was read before the first failed write', async () => {
    const port = await freePort();
    const r = await createRow(1201, { port });
    row = r;
    mountTmpfs(r.box.stateDir, '256k');
    mounted = r.box.stateDir;
    r.append(200);
    const run = r.daemons.start(r.box);
    await r.delivered('the first lines');
    await waitFor(() => savedOffset(r.box) === linesBytes(r), 10_000, 'a checkpoint of every line');

    fillDisk(r.box.stateDir);
    const failures = (): number =>
      logRecords(run.output()).filter((l) => l.code === 'GAX_ERR_CHECKPOINT_WRITE').length;
    r.append(50);
    await waitFor(() => failures() > 0, 10_000, 'a failed checkpoint write');
    const before = readFileSync(r.box.checkpoint, 'utf8');
    expect(savedOffset(r.box), 'checkpoint while the disk is full').toBeLessThanOrEqual(linesBytes(r));
    const paused = r.append(300);
    await sleep(1500);
    r.reader.poll();
    expect(paused.filter((id) => r.reader.counts.has(id)).length, 'lines delivered while paused').toBe(0);
    expect(readFileSync(r.box.checkpoint, 'utf8'), 'the last good checkpoint, untouched').toBe(before);
    expect(await writeFailures(port), 'gax_checkpoint_write_failures while full').toBeGreaterThan(0);
    const readyz = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
      checks: Record<string, { ok: boolean; detail?: string }>;
    };
    expect(readyz.checks.checkpoint?.detail).toMatch(
      /^cannot be written for \d+ s \(limit 5m\): reading is paused$/,
    );

    freeDisk(r.box.stateDir);
    await r.delivered('the lines held while the disk was full');
    await waitFor(() => savedOffset(r.box) === linesBytes(r), 15_000, 'a checkpoint of every line again');
    expect(await writeFailures(port), 'gax_checkpoint_write_failures once a write works').toBe(0);

    // Full again, then SIGKILL: the restart repeats exactly what was delivered past the last
    // good checkpoint.
    fillDisk(r.box.stateDir);
    r.append(50);
    // The log line is rate-limited (one per 10 s), so the failed write is read from the metric.
    await waitFor(async () => (await writeFailures(port)) > 0, 10_000, 'a second failed checkpoint write');
    await r.daemons.kill(run);
    r.reader.poll();
    const committed = linesBefore(r.box.log, savedOffset(r.box) ?? 0);
    const inFlight = r.reader.distinct - committed;
    freeDisk(r.box.stateDir);
    r.append(50);
    const second = r.daemons.start(r.box);
    const v = await finishRow('full disk for the state directory', r, second, { duplicates: inFlight });
    console.log(
      `rotation-matrix | full disk: ${inFlight} events delivered past the last good checkpoint at the SIGKILL`,
    );
    expect(v.duplicates).toBeLessThanOrEqual(50);
  }, 90_000);
});

/** The size of the active log (every line in it). */
function linesBytes(r: Row): number {
  return readFileSync(r.box.log).length;
}
