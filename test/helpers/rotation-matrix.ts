/**
 * Shared parts of the rotation-correctness matrix (test/integration/rotation-matrix-*.test.ts):
 * a row's sandbox and daemons, its "want N, got M" verdict, the daemon under strace (injected
 * filesystem errors), a small tmpfs (a full disk) and the daemon's `/metrics`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createGenerator, type Generator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { ensureDebianPackage, versionLine } from './apt.js';
import { CLI, ROOT, watchOutput } from './cli.js';
import {
  appendLines,
  createSandbox,
  type DaemonProcess,
  Daemons,
  OutputReader,
  type Sandbox,
  sleep,
  waitForIds,
} from './tail-harness.js';

/** Time for a duplicate to show up after the expected events did: many poll intervals and batches. */
export const SETTLE_MS = 400;

/** One row: its sandbox, daemons, the output reader and the ids that must each arrive once. */
export interface Row {
  box: Sandbox;
  readonly daemons: Daemons;
  readonly reader: OutputReader;
  readonly gen: Generator;
  /** Every event written that must be delivered. */
  readonly want: string[];
  /** Appends `n` lines to `path` (default: the active log) and expects them. */
  append(n: number, path?: string): string[];
  /** Waits until every wanted id was delivered at least once. */
  delivered(what?: string): Promise<void>;
}

/** A fresh row in a temporary directory (the caller removes `row.box.dir`). */
export async function createRow(
  seed: number,
  options: {
    /** Input paths, given the row's log directory (default: `logs/apim_metrics.log`). */
    paths?: (logDir: string) => string[];
    extraPaths?: (dir: string) => string[];
    port?: number;
  } = {},
): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'gax-matrix-'));
  const box = createSandbox(dir, {
    ...(options.paths === undefined ? {} : { paths: options.paths(join(dir, 'logs')) }),
    ...(options.extraPaths === undefined ? {} : { extraPaths: options.extraPaths(dir) }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  mkdirSync(box.logDir, { recursive: true });
  const gen = createGenerator({ seed });
  const want: string[] = [];
  const row: Row = {
    box,
    daemons: new Daemons(),
    reader: new OutputReader(box.output),
    gen,
    want,
    append(n, path = row.box.log) {
      const ids = appendLines(path, gen, n);
      want.push(...ids);
      return ids;
    },
    async delivered(what) {
      await waitForIds(row.reader, want, 20_000, { stallMs: 6000, ...(what === undefined ? {} : { what }) });
    },
  };
  return row;
}

/** What a row measured: events wanted, distinct delivered, output lines, duplicates. */
export interface Verdict {
  readonly row: string;
  readonly want: number;
  readonly got: number;
  readonly lines: number;
  readonly duplicates: number;
  readonly lost: number;
}

/**
 * Waits for every wanted event, lets duplicates show, stops the daemon (exit 0), then checks
 * exactly `duplicates` extra deliveries (0 unless the row's mechanism makes them unavoidable),
 * nothing lost, nothing unexpected, no torn output; prints "want N, got M".
 */
export async function finishRow(
  name: string,
  row: Row,
  run: DaemonProcess,
  options: { duplicates?: number } = {},
): Promise<Verdict> {
  await row.delivered().catch((err: unknown) => {
    throw new Error(`${String(err)}\ndaemon output:\n${run.output().slice(-4000)}`);
  });
  await sleep(SETTLE_MS);
  expect(await row.daemons.stop(run), run.output().slice(-4000)).toBe(0);
  row.reader.poll(true);
  const wanted = new Set(row.want);
  const verdict: Verdict = {
    row: name,
    want: row.want.length,
    got: [...row.reader.counts.keys()].filter((id) => wanted.has(id)).length,
    lines: row.reader.lines,
    duplicates: row.reader.duplicates,
    lost: row.want.filter((id) => !row.reader.counts.has(id)).length,
  };
  console.log(
    `rotation-matrix | ${name} | want ${verdict.want}, got ${verdict.got} (output lines ${verdict.lines}, duplicates ${verdict.duplicates}, lost ${verdict.lost})`,
  );
  const unexpected = [...row.reader.counts.keys()].filter((id) => !wanted.has(id));
  expect(unexpected, 'events that were never written').toEqual([]);
  expect(row.reader.corrupt, 'torn output lines').toEqual([]);
  const twice = row.want.flatMap((id, i) => ((row.reader.counts.get(id) ?? 0) > 1 ? [i] : []));
  const where = `duplicated (indexes in write order): ${ranges(twice)}; lost: ${ranges(
    row.want.flatMap((id, i) => (row.reader.counts.has(id) ? [] : [i])),
  )}`;
  expect({ got: verdict.got, duplicates: verdict.duplicates }, `want ${verdict.want}; ${where}`).toEqual({
    got: verdict.want,
    duplicates: options.duplicates ?? 0,
  });
  return verdict;
}

/** `[1, 2, 3, 7]` → `1-3, 7`. */
function ranges(indexes: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && (indexes[j + 1] as number) === (indexes[j] as number) + 1) j++;
    parts.push(i === j ? `${indexes[i]}` : `${indexes[i]}-${indexes[j]}`);
    i = j + 1;
  }
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** `n` log lines that carry no event, identical in every file: a shared first KiB (~100 bytes each). */
export function sharedHeader(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      `[2026-11-23 10:00:00,${String(i).padStart(3, '0')}]  INFO {org.wso2.carbon.core.internal.CarbonCoreActivator} - Starting WSO2 Carbon`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `text` to `path` (creating or replacing it). */
export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}

/** strace 6 or later (Debian package `strace`), installed when missing. */
export function ensureStrace(): Promise<string> {
  return ensureDebianPackage('strace', () => versionLine('strace', ['-V']));
}

/**
 * A launcher for `Daemons.start` that runs the built `gax` under strace, failing the syscalls
 * `inject` names (strace's `-e inject=` syntax) on `path` only. `--seccomp-bpf` stops the
 * daemon at the traced syscall alone, so it runs at nearly full speed.
 */
export function underStrace(path: string, syscall: string, inject: string) {
  return (args: string[]): DaemonProcess => {
    const child = spawn(
      'strace',
      [
        '-f',
        '--seccomp-bpf',
        '-qq',
        '-o',
        '/dev/null',
        '-e',
        `trace=${syscall}`,
        '-P',
        path,
        '-e',
        `inject=${inject}`,
        process.execPath,
        CLI,
        ...args,
      ],
      // One libuv thread: strace counts `when=` per thread, so the failing calls are the same every run.
      { cwd: ROOT, env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { child, ...watchOutput(child), daemonPid: () => childPid(child.pid) };
  };
}

/** The first child of process `pid` (the daemon strace started), if any. */
function childPid(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first === undefined || first === '' ? undefined : Number(first);
  } catch {
    return undefined;
  }
}

/** Mounts a tmpfs of `size` (e.g. `256k`) on `dir`: a small disk to fill. Needs root. */
export function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount -t tmpfs on ${dir} failed (needs root): ${r.stderr}`);
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir], { encoding: 'utf8' });
}

/** Fills the filesystem holding `dir` with `dir/filler` until it has no byte left. */
export function fillDisk(dir: string): void {
  const filler = join(dir, 'filler');
  const block = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeFileSync(filler, block, { flag: 'a' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
}

/** Frees what `fillDisk` took. */
export function freeDisk(dir: string): void {
  rmSync(join(dir, 'filler'), { force: true });
}

/** The daemon's `/metrics` text (127.0.0.1 only). */
export async function metricsText(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.text();
}
