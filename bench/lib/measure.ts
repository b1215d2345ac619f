/**
 * Runs a command as a whole child process and measures wall time, CPU (user + sys) and peak RSS.
 *
 * Preferred meter: GNU `/usr/bin/time -f … -o FILE` (the kernel's rusage of the child: exact CPU and
 * max RSS, including the child's own children). Fallback: poll `/proc/<pid>/{stat,status}` every
 * 20 ms (VmHWM and utime/stime of the direct child; the last sample before exit, so slightly low).
 * Wall time is always taken here with a monotonic clock, from spawn to exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Meter = 'gnu-time' | 'proc-poll';

export interface Command {
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Keep stdout (for result checks); otherwise it goes to /dev/null. */
  captureStdout?: boolean;
  /** Kill the process group after this long. @default 900_000 */
  timeoutMs?: number;
}

export interface Sample {
  wallSeconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  /** Last 4 KB of stderr, for failure reports. */
  stderrTail: string;
}

export interface Summary {
  runs: number;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  /** Median CPU seconds (user + sys). */
  cpuSeconds: number;
  /** Highest peak RSS over the runs. */
  maxRssBytes: number;
}

const GNU_TIME = '/usr/bin/time';
/** Process groups of the children being measured now (each is spawned detached: its own group). */
const runningGroups = new Set<number>();

/** SIGKILLs every child being measured (harness interrupted); their runs then end as failed. */
export function killRunning(): void {
  for (const pgid of runningGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
const CLOCK_TICKS = 100;
const STDERR_TAIL = 4096;

export function detectMeter(): Meter {
  if (existsSync(GNU_TIME)) {
    const probe = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
    if (`${probe.stdout}${probe.stderr}`.includes('GNU')) return 'gnu-time';
  }
  if (existsSync('/proc/self/status')) return 'proc-poll';
  throw new Error('bench: need GNU time (/usr/bin/time) or Linux /proc to measure child processes');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samples: readonly Sample[]): Summary {
  const wall = samples.map((s) => s.wallSeconds);
  return {
    runs: samples.length,
    medianSeconds: median(wall),
    minSeconds: Math.min(...wall),
    maxSeconds: Math.max(...wall),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    maxRssBytes: Math.max(...samples.map((s) => s.maxRssBytes)),
  };
}

export async function measureCommand(cmd: Command, meter: Meter): Promise<Sample> {
  if (meter === 'proc-poll') return run(cmd, cmd.command, cmd.args, pollProc);
  const dir = mkdtempSync(join(tmpdir(), 'gax-bench-time-'));
  const out = join(dir, 'rusage');
  try {
    const sample = await run(
      cmd,
      GNU_TIME,
      ['-f', '%U %S %M', '-o', out, cmd.command, ...cmd.args],
      undefined,
    );
    const last = (existsSync(out) ? readFileSync(out, 'utf8') : '').trim().split('\n').at(-1) ?? '';
    const [user, sys, rssKb] = last.split(' ').map(Number);
    if (rssKb !== undefined && Number.isFinite(rssKb)) {
      return { ...sample, cpuSeconds: user! + sys!, maxRssBytes: rssKb * 1024 };
    }
    // Killed (timeout) before GNU time could report: no usage figures.
    if (sample.timedOut || sample.exitCode === null)
      return { ...sample, cpuSeconds: Number.NaN, maxRssBytes: Number.NaN };
    throw new Error(`bench: unreadable GNU time output: ${last}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Usage {
  cpuSeconds: number;
  maxRssBytes: number;
}

/** Spawns in its own process group; `poll`, when given, samples usage until exit. */
function run(
  cmd: Command,
  file: string,
  args: readonly string[],
  poll: ((pid: number, last: Usage) => Usage) | undefined,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, {
      cwd: cmd.cwd,
      detached: true,
      stdio: ['ignore', cmd.captureStdout === true ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let usage: Usage = { cpuSeconds: 0, maxRssBytes: 0 };
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_TAIL);
    });
    const pid = child.pid;
    if (pid !== undefined) runningGroups.add(pid);
    const poller =
      poll === undefined || pid === undefined
        ? undefined
        : setInterval(() => {
            usage = poll(pid, usage);
          }, 20);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
    }, cmd.timeoutMs ?? 900_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      if (poller !== undefined) clearInterval(poller);
      reject(err);
    });
    child.on('close', (code) => {
      if (pid !== undefined) runningGroups.delete(pid);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timer);
      if (poller !== undefined) clearInterval(poller);
      resolve({ wallSeconds, ...usage, exitCode: code, timedOut, stdout, stderrTail: stderr });
    });
  });
}

/** One /proc sample; keeps the previous values when the process has already gone. */
function pollProc(pid: number, last: Usage): Usage {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14–17.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSeconds: ticks / CLOCK_TICKS, maxRssBytes: Math.max(last.maxRssBytes, hwmKb * 1024) };
  } catch {
    return last;
  }
}
