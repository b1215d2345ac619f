import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, signalPid } from './process-group.js';

/**
 * Process handling for test/helpers/postgres.ts: each server runs in its own process group under
 * a watchdog launcher and is signalled by PID; only its own group is ever SIGKILLed, so servers of
 * other test workers are never touched.
 */

const REAP_TIMEOUT_MS = 10_000;
/** How long orphaned backends get to notice the postmaster's death before the group is SIGKILLed. */
const ORPHAN_GRACE_MS = 3_000;

/** A launched server: the launcher child, whose PID is also the process group id. */
export interface Running {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly exited: Promise<void>;
  /** The launcher's exit code once it has exited (null when killed by a signal). */
  exitCode: number | null | undefined;
}

/** Process groups of running servers, SIGKILLed synchronously if the test process exits without destroy(). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Runs the server (`"$@"`) in the background and exits with its status. A watchdog blocks on fd 3,
 * a pipe whose only writer is the test process: EOF means the test process is gone (even
 * SIGKILLed), and the watchdog then SIGKILLs the whole process group.
 */
const LAUNCHER = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- &',
  'pg=$!',
  '{ read -r _ <&3; kill -9 0; } &',
  'wd=$!',
  'exec 3<&-',
  'wait "$pg"; code=$?',
  'kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null',
  'exit "$code"',
].join('\n');

const signal = signalPid;

/** Spawns `command` under the launcher in a new process group, output appended to `logPath`. */
export function launch(command: readonly string[], logPath: string): Running {
  const log = openSync(logPath, 'a');
  const child = spawn('sh', ['-c', LAUNCHER, 'gax-pg-launcher', ...command], {
    detached: true,
    stdio: ['pipe', log, log],
  });
  closeSync(log);
  child.stdin?.on('error', () => undefined);
  if (child.pid === undefined) throw new Error(`could not spawn ${command.join(' ')}`);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const pgid of liveGroups) signal(-pgid, 'SIGKILL');
    });
  }
  liveGroups.add(child.pid);
  const running: Running = {
    child,
    pgid: child.pid,
    exitCode: undefined,
    exited: new Promise((resolve) =>
      child.once('exit', (code) => {
        running.exitCode = code;
        resolve();
      }),
    ),
  };
  return running;
}

/**
 * Sends `name` to `pid` (the whole group while the PID is unknown), SIGKILLs the group when the
 * launcher has not exited after `graceMs`, then waits until no process of the group is left.
 */
export async function terminate(
  running: Running,
  pid: number | undefined,
  name: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  signal(pid ?? -running.pgid, name);
  const grace = new AbortController();
  const inTime = await Promise.race([
    running.exited.then(() => true),
    sleep(graceMs, false, { signal: grace.signal }).catch(() => true),
  ]);
  grace.abort();
  if (!inTime) signal(-running.pgid, 'SIGKILL');
  await running.exited;
  running.child.stdin?.end();
  // Orphaned backends notice the postmaster's death and exit; a restart needs them gone.
  const started = Date.now();
  while (groupMembers(running.pgid).length > 0) {
    const waited = Date.now() - started;
    if (waited > REAP_TIMEOUT_MS)
      throw new Error(`processes ${groupMembers(running.pgid).join(', ')} survived SIGKILL`);
    if (waited > ORPHAN_GRACE_MS) signal(-running.pgid, 'SIGKILL');
    await sleep(20);
  }
  liveGroups.delete(running.pgid);
}
