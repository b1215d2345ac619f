/**
 * Lock holders in other processes for the lock tests: a fixture script that takes a lock and
 * prints `{"pid":…,"locked":…}`, optionally under a prefix such as `unshare` (another PID
 * namespace), and a SIGKILL that waits for the exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'vitest';

/** Starts `fixture path staleMs` (after `command`); resolves once it holds the lock, with the PID it sees. */
export async function startHolder(
  fixture: string,
  path: string,
  staleMs: number,
  children: ChildProcess[],
  command: string[] = [],
): Promise<{ child: ChildProcess; pid: number }> {
  const argv = [...command, process.execPath, '--import', 'tsx', fixture, path, String(staleMs)];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    out += chunk.toString();
    if (out.includes('\n')) break;
  }
  const said = JSON.parse(out) as { pid: number; locked: boolean };
  expect(said.locked).toBe(true);
  return { child, pid: said.pid };
}

/** SIGKILLs `child` and resolves once it has exited. */
export async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
