import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { waitFor } from '../helpers/daemon.js';

export interface RunningDaemon {
  /** Base URL of its HTTP server, from its "HTTP server listening." log line. */
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node script args…` (a gax CLI) and waits until its HTTP server listens. */
export async function startGax(
  script: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunningDaemon> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let url: string | undefined;
  await waitFor(
    () => {
      url = listeningUrl(output);
      if (child.exitCode !== null) throw new Error(`gax exited with ${child.exitCode}:\n${output}`);
      return url !== undefined;
    },
    20_000,
    'the HTTP server',
  );
  return {
    url: url ?? '',
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function listeningUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('HTTP server listening.')) continue;
    const parsed = JSON.parse(line) as { url?: string };
    return parsed.url;
  }
  return undefined;
}

/** GET `url`; the status, or 0 when nothing answers. */
export async function statusOf(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Every file under `dir`, relative to it: what a run wrote is the difference of two listings. */
export async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
