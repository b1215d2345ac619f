import { spawnSync } from 'node:child_process';
import { ensureDebianPackage, versionLine } from '../helpers/apt.js';

/** promtool, from the Debian package `prometheus` (2.42 on bookworm). */
export const PROMTOOL = 'promtool';

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs promtool with `args`; never throws for a non-zero exit. */
export function promtool(args: readonly string[], options: { cwd?: string } = {}): RunResult {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd: options.cwd, timeout: 120_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function promtoolVersion(): string | undefined {
  return versionLine(PROMTOOL);
}

/**
 * Resolves to promtool's version line once `promtool` is on PATH, installing the Debian package
 * `prometheus` when it is missing (test/helpers/apt.ts).
 */
export function ensurePrometheus(): Promise<string> {
  return ensureDebianPackage('prometheus', promtoolVersion);
}
