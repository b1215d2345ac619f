/**
 * A real OpenTelemetry Collector for the test suite: the binary of bench/otelcol/builder-config.yaml
 * (built once with the Collector Builder from the Go module proxy and cached, bench/lib/otelcol.ts),
 * run with the otlp receiver (HTTP only, 127.0.0.1, protobuf and JSON on /v1/logs and /v1/metrics)
 * and one file exporter per signal (`format: json`). The exporters' `rotation` (at 1 GiB, never
 * reached in a test) makes their writes unbuffered: a request is in the file before the collector
 * answers it, so what it acknowledged survives kill(), and a restart appends to the same files.
 * The collector's own telemetry is off (no :8888). Stopped by PID; start() again reuses the port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOtelcol } from '../../bench/lib/otelcol.js';
import {
  flattenLogs,
  flattenMetrics,
  type OtlpDataPoint,
  type OtlpLogRecord,
  readRequests,
} from './otelcol-records.js';

export type {
  OtlpAttributes,
  OtlpDataPoint,
  OtlpExponentialHistogramPoint,
  OtlpGaugePoint,
  OtlpHistogramPoint,
  OtlpLogRecord,
  OtlpSummaryPoint,
  OtlpSumPoint,
  OtlpValue,
  Temporality,
} from './otelcol-records.js';

/** A cold build (no Go caches) takes 5-11 minutes on 2 shared cores: give beforeAll this long. */
export const OTELCOL_SETUP_TIMEOUT_MS = 20 * 60_000;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY = 'Everything is ready';
const TAIL_LINES = 200;

export interface OtelcolOptions {
  /** stop()'s wait after SIGTERM before SIGKILL (default 10 000 ms). */
  stopGraceMs?: number;
  /** How long start() waits for the collector to be ready (default 30 000 ms). */
  startTimeoutMs?: number;
}

export interface Collector {
  /** `http://127.0.0.1:<port>`: POST to `${endpoint}/v1/logs` and `/v1/metrics`. Same across restarts. */
  readonly endpoint: string;
  readonly port: number;
  /** Working directory: config.yaml, logs.jsonl, metrics.jsonl. */
  readonly dir: string;
  /** PID of the running collector; undefined while it is stopped. */
  readonly pid: number | undefined;
  /** Starts it again (same port, same files, appended to); resolves once it accepts requests. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after the grace; resolves once it is gone with its exit code (null: signal). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
  /** kill() if running, then removes its directory. */
  destroy(): Promise<void>;
  /** The last lines of its stderr over every start (each start marked), for failure messages. */
  logTail(lines?: number): string;
  /** Every log record written so far, in order of receipt. */
  readLogs(): Promise<OtlpLogRecord[]>;
  /** Every metric data point written so far, in order of receipt. */
  readMetrics(): Promise<OtlpDataPoint[]>;
  /** Polls readLogs() until `done(records)`; throws after `timeoutMs` (default 10 000) with what it has. */
  waitForLogs(done: (records: OtlpLogRecord[]) => boolean, timeoutMs?: number): Promise<OtlpLogRecord[]>;
  waitForMetrics(done: (points: OtlpDataPoint[]) => boolean, timeoutMs?: number): Promise<OtlpDataPoint[]>;
}

/** The collector's binary, built now when it is not cached (minutes: see OTELCOL_SETUP_TIMEOUT_MS). */
export function ensureOtelcolBinary(): Promise<string> {
  return ensureOtelcol(REPO_ROOT, (m) => process.stderr.write(`[otelcol] ${m}\n`));
}

/**
 * A free port on 127.0.0.1 below the ephemeral range (32768+ on Linux): no outgoing connection
 * takes it between a stop() and the next start().
 */
async function freeLowPort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port on 127.0.0.1 in 20000-31999');
}

function config(dir: string, port: number): string {
  // JSON strings are YAML double-quoted scalars: no quoting problems with odd paths.
  const file = (name: string): string[] => [
    `  file/${name}:`,
    `    path: ${JSON.stringify(join(dir, `${name}.jsonl`))}`,
    '    format: json',
    '    rotation:',
    '      max_megabytes: 1024',
  ];
  return [
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      http:',
    `        endpoint: 127.0.0.1:${port}`,
    'exporters:',
    ...file('logs'),
    ...file('metrics'),
    'service:',
    '  telemetry:',
    '    metrics:',
    '      level: none',
    '    logs:',
    '      level: info',
    '  pipelines:',
    '    logs:',
    '      receivers: [otlp]',
    '      exporters: [file/logs]',
    '    metrics:',
    '      receivers: [otlp]',
    '      exporters: [file/metrics]',
    '',
  ].join('\n');
}

/** Starts a collector (building the binary first if needed) and resolves once it accepts requests. */
export async function startOtelcol(options: OtelcolOptions = {}): Promise<Collector> {
  const binary = await ensureOtelcolBinary();
  const dir = await mkdtemp(join(tmpdir(), 'gax-otelcol-'));
  const port = await freeLowPort();
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, config(dir, port));
  const tail: string[] = [];
  const note = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let starts = 0;
  const killOnExit = (): void => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGKILL');
    }
  };
  process.on('exit', killOnExit);

  /** One attempt: resolves true once ready, false when the port was taken, throws otherwise. */
  const spawnOnce = (): Promise<boolean> => {
    starts++;
    note(`--- start ${starts} ---`);
    const proc = spawn(binary, ['--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      let pending = '';
      let portTaken = false;
      const timer = setTimeout(() => {
        reject(
          new Error(`otelcol not ready after ${options.startTimeoutMs ?? 30_000} ms: ${tail.join('\n')}`),
        );
      }, options.startTimeoutMs ?? 30_000);
      proc.stderr?.setEncoding('utf8');
      proc.stderr?.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          note(line);
          if (line.includes('address already in use')) portTaken = true;
          if (line.includes(READY)) {
            clearTimeout(timer);
            resolve(true);
          }
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (pending !== '') note(pending);
        note(`--- exited (${String(code ?? signal)}) ---`);
        if (portTaken) resolve(false);
        reject(
          new Error(`otelcol exited (${String(code ?? signal)}) before ready: ${tail.slice(-20).join('\n')}`),
        );
      });
    });
  };

  const start = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      throw new Error('otelcol is already running');
    }
    // The port can be held briefly by a connection of the previous run: retry for ~10 s.
    for (let i = 0; i < 20; i++) {
      const ready = await spawnOnce().catch(async (err: unknown) => {
        await kill();
        throw err;
      });
      if (ready) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`otelcol: 127.0.0.1:${port} stayed in use`);
  };

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;

  const kill = async (): Promise<void> => {
    if (!running() || child?.pid === undefined) return;
    process.kill(child.pid, 'SIGKILL');
    await exited;
  };

  const stop = async (graceMs = options.stopGraceMs ?? 10_000): Promise<number | null> => {
    const proc = child;
    if (proc?.pid === undefined || !running()) return proc?.exitCode ?? null;
    process.kill(proc.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (running()) process.kill(proc.pid as number, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    return proc.exitCode;
  };

  const readLogs = async (): Promise<OtlpLogRecord[]> =>
    (await readRequests(dir, 'logs')).flatMap(flattenLogs);
  const readMetrics = async (): Promise<OtlpDataPoint[]> =>
    (await readRequests(dir, 'metrics')).flatMap(flattenMetrics);

  async function poll<T>(
    read: () => Promise<T[]>,
    done: (all: T[]) => boolean,
    timeoutMs: number,
  ): Promise<T[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const all = await read();
      if (done(all)) return all;
      if (Date.now() > until) {
        throw new Error(`otelcol: condition not met after ${timeoutMs} ms; ${all.length} records written`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const collector: Collector = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return running() ? child?.pid : undefined;
    },
    start,
    stop,
    kill,
    destroy: async () => {
      await kill();
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
    logTail: (lines = 50) => tail.slice(-lines).join('\n'),
    readLogs,
    readMetrics,
    waitForLogs: (done, timeoutMs = 10_000) => poll(readLogs, done, timeoutMs),
    waitForMetrics: (done, timeoutMs = 10_000) => poll(readMetrics, done, timeoutMs),
  };
  try {
    await start();
  } catch (err) {
    await collector.destroy();
    throw err;
  }
  return collector;
}
