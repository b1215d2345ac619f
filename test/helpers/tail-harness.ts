/**
 * Harness for crash and rotation tests of the built `gax run`: its config, the daemon processes
 * (so none survives a test), a log writer that rotates like log4j2, and readers of the checkpoint
 * and of the file plugin's output that tolerate a file being written at the same time.
 */
import type { ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createGenerator, type Generator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { startCli } from './cli.js';

export { OutputReader, sleep, waitForIds } from './output-reader.js';

/** The date part of the rotated names the tests use: `apim_metrics-11-23-2026-<i>.log`. */
export const ROTATED_DAY = '11-23-2026';

/** Paths of one test's sandbox: `logs/`, `state/`, `out/events.ndjson` and the config file. */
export interface Sandbox {
  readonly dir: string;
  readonly logDir: string;
  readonly log: string;
  readonly stateDir: string;
  readonly checkpoint: string;
  readonly output: string;
  readonly config: string;
}

/**
 * Writes the `gax run` config of the crash tests to `dir/gax.yaml`: one input naming
 * `logs/apim_metrics.log` (so its rotated siblings are followed) and any `extraPaths`, no HTTP
 * server, the file plugin only, JSON logs at warn.
 */
export function createSandbox(
  dir: string,
  options: {
    extraPaths?: readonly string[];
    /** Input paths instead of `logs/apim_metrics.log` (extraPaths still added). */
    paths?: readonly string[];
    /** Serve `/metrics` on 127.0.0.1 at this port (else no HTTP server). */
    port?: number;
  } = {},
): Sandbox {
  const q = JSON.stringify;
  const box: Sandbox = {
    dir,
    logDir: join(dir, 'logs'),
    log: join(dir, 'logs', 'apim_metrics.log'),
    stateDir: join(dir, 'state'),
    checkpoint: join(dir, 'state', 'checkpoint.json'),
    output: join(dir, 'out', 'events.ndjson'),
    config: join(dir, 'gax.yaml'),
  };
  const yaml = [
    'inputs:',
    `  - paths: [${[...(options.paths ?? [box.log]), ...(options.extraPaths ?? [])].map((p) => q(p)).join(', ')}]`,
    '    pollIntervalMs: 20',
    `state: { dir: ${q(box.stateDir)} }`,
    options.port === undefined
      ? 'server: { enabled: false }'
      : `server: { host: 127.0.0.1, port: ${options.port} }`,
    'pipeline: { batchMaxWaitMs: 20 }',
    'log: { level: warn, format: json }',
    'plugins:',
    `  file: { enabled: true, path: ${q(box.output)} }`,
    '  prometheus: { enabled: false }',
    '',
  ].join('\n');
  writeFileSync(box.config, yaml);
  return box;
}

/** The rotated name of generation `i` on `day`: `apim_metrics-<day>-<i>.log`. */
export function rotatedName(box: Sandbox, i: number, day = ROTATED_DAY): string {
  return join(box.logDir, `apim_metrics-${day}-${i}.log`);
}

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** The daemon's own PID when `child` is a wrapper (strace) around it. */
  readonly daemonPid?: () => number | undefined;
  /** stdout and stderr so far (the daemon logs JSON lines to stdout). */
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts `gax run` processes and kills, by PID, any still alive at `killAll`. */
export class Daemons {
  readonly #all = new Set<DaemonProcess>();

  /** Starts `gax run` on `box`'s config, or what `launch` starts for those arguments. */
  start(box: Sandbox, launch: (args: string[]) => DaemonProcess = startCli): DaemonProcess {
    const run = launch(['run', '--config', box.config]);
    this.#all.add(run);
    void run.exited.then(() => this.#all.delete(run));
    return run;
  }

  /** SIGKILLs `run` and resolves once it has exited. */
  async kill(run: DaemonProcess): Promise<void> {
    signalDaemon(run, 'SIGKILL');
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.exited;
  }

  /** Stops `run` with SIGTERM and resolves with its exit code. */
  async stop(run: DaemonProcess): Promise<number | null> {
    if (!signalDaemon(run, 'SIGTERM')) run.child.kill('SIGTERM');
    return run.exited;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.#all].map((run) => this.kill(run)));
  }
}

/** Sends `signal` to the daemon itself (inside a wrapper, if any); false when there is none. */
export function signalDaemon(run: DaemonProcess, signal: NodeJS.Signals): boolean {
  const pid = run.daemonPid === undefined ? run.child.pid : run.daemonPid();
  if (pid === undefined) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/** The JSON log lines a daemon wrote (other lines are left out). */
export function logRecords(output: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log record
    }
  }
  return records;
}

const ID = /"correlationId":"([^"]+)"/;

/** The correlationId of a WSO2 metric line or of a canonical event line. */
export function correlationIdOf(line: string): string | undefined {
  return ID.exec(line)?.[1];
}

/** `n` generated metric lines as text (each ending in a newline) and their correlationIds. */
export function generateLines(gen: Generator, n: number): { text: string; ids: string[] } {
  const lines: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const line = gen.next();
    lines.push(line);
    ids.push(correlationIdOf(line) as string);
  }
  return { text: lines.length === 0 ? '' : `${lines.join('\n')}\n`, ids };
}

/** Appends `n` fresh lines from `gen` to `path` and returns their correlationIds. */
export function appendLines(path: string, gen: Generator, n: number): string[] {
  const { text, ids } = generateLines(gen, n);
  appendFileSync(path, text);
  return ids;
}

export interface WriterOptions {
  readonly seed: number;
  readonly linesPerSecond: number;
  /** Rotate after this many lines in the active file. */
  readonly rotateEvery: number;
  readonly tickMs?: number;
}

/**
 * Appends whole lines to `apim_metrics.log` at a steady rate in small ticks and rotates like
 * log4j2 (rename to `apim_metrics-<day>-<i>.log`, then a new active file). Never deletes a file.
 */
export class RotatingWriter {
  readonly ids: string[] = [];
  /** Which file each id was written to: `i` is `apim_metrics-<day>-<i>.log` once rotated. */
  readonly fileOf = new Map<string, number>();
  rotations = 0;
  readonly #box: Sandbox;
  readonly #o: WriterOptions;
  readonly #gen: Generator;
  #inActive = 0;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #written = 0;

  constructor(box: Sandbox, options: WriterOptions) {
    this.#box = box;
    this.#o = options;
    this.#gen = createGenerator({ seed: options.seed });
  }

  /** Appends `n` lines at once (rotating as usual), e.g. before the daemon starts. */
  append(n: number): void {
    mkdirSync(this.#box.logDir, { recursive: true });
    this.#write(n);
  }

  /** Starts appending at the configured rate. */
  start(): void {
    mkdirSync(this.#box.logDir, { recursive: true });
    if (!existsSync(this.#box.log)) writeFileSync(this.#box.log, '');
    this.#startedAt = Date.now();
    this.#written = 0;
    this.#timer = setInterval(() => this.#tick(), this.#o.tickMs ?? 10);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const due = Math.floor(((Date.now() - this.#startedAt) * this.#o.linesPerSecond) / 1000) - this.#written;
    const n = Math.min(due, this.#o.linesPerSecond); // never a burst of more than a second
    this.#written += n;
    this.#write(n);
  }

  #write(count: number): void {
    let left = count;
    while (left > 0) {
      const n = Math.min(left, this.#o.rotateEvery - this.#inActive);
      const ids = appendLines(this.#box.log, this.#gen, n);
      for (const id of ids) {
        this.ids.push(id);
        this.fileOf.set(id, this.rotations + 1);
      }
      this.#inActive += n;
      left -= n;
      if (this.#inActive >= this.#o.rotateEvery) this.#rotate();
    }
  }

  #rotate(): void {
    this.rotations++;
    renameSync(this.#box.log, rotatedName(this.#box, this.rotations));
    writeFileSync(this.#box.log, '');
    this.#inActive = 0;
  }
}

export interface CheckpointFile {
  readonly version: number;
  readonly updatedAt: string;
  readonly plugins: Record<
    string,
    {
      files: Record<string, { offset: number; path: string; fingerprint?: { length: number; hash: string } }>;
    }
  >;
}

/** The checkpoint as written, or undefined when there is none yet. */
export function readCheckpoint(box: Sandbox): CheckpointFile | undefined {
  if (!existsSync(box.checkpoint)) return undefined;
  return JSON.parse(readFileSync(box.checkpoint, 'utf8')) as CheckpointFile;
}

/** Every file in the log directory by identity `dev:ino` (what the checkpoint keys files by). */
export function filesByIdentity(logDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(logDir)) {
    const path = join(logDir, name);
    const info = statSync(path, { bigint: true });
    files.set(`${info.dev}:${info.ino}`, path);
  }
  return files;
}

/** The number of complete lines in the first `offset` bytes of `path`. */
export function linesBefore(path: string, offset: number): number {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let position = 0;
    let lines = 0;
    while (position < offset) {
      const bytes = readSync(fd, buffer, 0, Math.min(buffer.length, offset - position), position);
      if (bytes === 0) break;
      for (let i = buffer.indexOf(10, 0); i !== -1 && i < bytes; i = buffer.indexOf(10, i + 1)) lines++;
      position += bytes;
    }
    return lines;
  } finally {
    closeSync(fd);
  }
}

/** A small seeded PRNG (mulberry32): the same seed, the same kill timings. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
