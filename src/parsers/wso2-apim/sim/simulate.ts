/**
 * Appends generated `apim_metrics.log` lines to a file at a steady rate, like a busy gateway, and
 * optionally rotates it the way log4j2's RollingFile does (rename, then create a new file). Used by the
 * demo mode and by rotation tests.
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Generator, GeneratorOptions } from './generate.js';
import { createGenerator } from './generate.js';

export interface SimulateOptions {
  /** The active log file, e.g. `…/repository/logs/apim_metrics.log`; directories are created. */
  path: string;
  /** Lines per second (written in batches every 100 ms). */
  ratePerSecond: number;
  /** Stops the simulation; the returned promise then resolves (never rejects on abort). */
  signal: AbortSignal;
  /** Generator options; `startTime` defaults to now and `eventsPerSecond` to `ratePerSecond`. */
  generator?: GeneratorOptions;
  /** Stop after this many lines. */
  maxLines?: number;
  /** Roll the file over once it holds this many lines (written by this run). */
  rotateEveryLines?: number;
  /**
   * Rolled-over files kept (log4j2's `DefaultRolloverStrategy max`, by modification time, also
   * those of earlier runs); older ones are deleted after each rollover. Unset: all are kept.
   */
  keepRotated?: number;
}

export interface SimulateResult {
  lines: number;
  /** Paths the active file was renamed to, oldest first. */
  rotatedFiles: string[];
}

const TICK_MS = 100;
/** Lines per write: whole lines only, so a reader never sees a batch torn by an abort. */
const WRITE_CHUNK_LINES = 2000;

export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const { path, ratePerSecond, signal } = options;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new RangeError('simulate: ratePerSecond must be > 0');
  }
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const rotateEvery = options.rotateEveryLines ?? Number.POSITIVE_INFINITY;
  if (!(maxLines >= 0)) throw new RangeError('simulate: maxLines must be >= 0');
  if (!(rotateEvery >= 1 && (Number.isInteger(rotateEvery) || rotateEvery === Number.POSITIVE_INFINITY))) {
    throw new RangeError('simulate: rotateEveryLines must be an integer >= 1');
  }
  const result: SimulateResult = { lines: 0, rotatedFiles: [] };
  if (signal.aborted || maxLines <= 0) return result;

  const generator = createGenerator({
    ...options.generator,
    startTime: options.generator?.startTime ?? Date.now(),
    eventsPerSecond: options.generator?.eventsPerSecond ?? ratePerSecond,
  });
  await mkdir(dirname(path), { recursive: true });
  let handle = await open(path, 'a');
  let linesInFile = 0;
  const started = performance.now();
  try {
    while (!signal.aborted && result.lines < maxLines) {
      const elapsed = performance.now() - started;
      const due = Math.min(maxLines, Math.floor((elapsed / 1000) * ratePerSecond));
      while (result.lines < due && !signal.aborted) {
        if (linesInFile >= rotateEvery) {
          await handle.close();
          result.rotatedFiles.push(await rollOver(path));
          if (options.keepRotated !== undefined) await deleteOldest(path, options.keepRotated);
          handle = await open(path, 'a');
          linesInFile = 0;
        }
        const n = Math.min(due - result.lines, rotateEvery - linesInFile, WRITE_CHUNK_LINES);
        await appendLines(handle, generator, n);
        result.lines += n;
        linesInFile += n;
      }
      if (result.lines >= maxLines) break;
      await pause(TICK_MS, signal);
    }
  } finally {
    await handle.close();
  }
  return result;
}

async function appendLines(handle: FileHandle, generator: Generator, n: number): Promise<void> {
  let text = '';
  for (let i = 0; i < n; i++) text += `${generator.next()}\n`;
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

/**
 * log4j2 `filePattern = apim_metrics-%d{MM-dd-yyyy}-%i.log`: rename the active file to the next free
 * index of today's (local) date. Older indices are never renamed or deleted here (no `max`).
 */
async function rollOver(path: string): Promise<string> {
  const dir = dirname(path);
  const ext = extname(path);
  const stem = basename(path, ext);
  const now = new Date();
  const date = `${pad2(now.getMonth() + 1)}-${pad2(now.getDate())}-${now.getFullYear()}`;
  const prefix = `${stem}-${date}-`;
  let index = 0;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(ext)) continue;
    const i = Number(name.slice(prefix.length, name.length - ext.length));
    if (Number.isInteger(i) && i > index) index = i;
  }
  const target = join(dir, `${prefix}${index + 1}${ext}`);
  await rename(path, target);
  return target;
}

/** Deletes the rolled-over siblings of `path` (`<stem>-*<ext>`) beyond the newest `keep`. */
async function deleteOldest(path: string, keep: number): Promise<void> {
  const dir = dirname(path);
  const ext = extname(path);
  const prefix = `${basename(path, ext)}-`;
  const rolled = (await readdir(dir)).filter((n) => n.startsWith(prefix) && n.endsWith(ext));
  const dated = await Promise.all(
    rolled.map(async (name) => ({
      name,
      mtime: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0,
    })),
  );
  dated.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name, undefined, { numeric: true }));
  for (const { name } of dated.slice(keep)) await unlink(join(dir, name)).catch(() => undefined);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
