import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Durable state writes: every file gax replaces atomically (checkpoint, replay ledger, the
 * Datadog generation) goes through {@link writeFileDurably}, and every rename or creation of a
 * file gax must find again after a power cut (dead-letter rotation) is followed by
 * {@link syncDirectory}.
 *
 * Why the directory: `rename` changes the directory, not the file. fsync of the file makes its
 * bytes durable; only fsync of the directory makes the new name durable (POSIX leaves it
 * unspecified, ext4/XFS with delayed allocation do lose it). Without it a power cut right after
 * the rename can bring back the old file, or, for a file created since the last directory sync,
 * no file at all.
 */

/** Filesystems that cannot fsync a directory (some FUSE and network filesystems) say so with these. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);

/**
 * Replaces `path` with `data` so that after a crash or power cut it holds either the old content
 * or the new, never a mix, an empty file or a lost rename: writes a temporary file of its own in
 * the same directory, fsyncs it, renames it over `path`, then fsyncs the directory. On failure
 * (ENOSPC, EIO, EROFS, …) the temporary file is removed, `path` keeps its old content, and the
 * error is thrown. Concurrent writers never share a temporary file (each name is random);
 * the last rename wins. Creates the directory (and syncs its parent) when missing. The temp file
 * a crash left between create and rename is removed by a later write (see {@link sweepStaleTemps}).
 */
export async function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  await replaceFile(path, data, true);
}

/**
 * Replaces `path` with `data` atomically but without any fsync: the new content is in the page
 * cache, so it survives the process being killed (SIGKILL, OOM) but not a power cut, after which
 * the file may hold the content of the last {@link writeFileDurably} (or, on filesystems without
 * ext4's replace-via-rename heuristics, be empty). For state rewritten often whose durable copy
 * is written on a bounded interval (the checkpoint, src/sources/checkpointer.ts).
 */
export async function replaceFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await replaceFile(path, data, false);
}

async function replaceFile(path: string, data: string | Uint8Array, durable: boolean): Promise<void> {
  const dir = dirname(resolve(path));
  await ensureDirectory(dir);
  const temp = tempPath(path);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  if (durable) await syncDirectory(dir);
  await sweepStaleTemps(path);
}

/** A temp file this old is no live writer's (a write takes milliseconds): a crash left it. */
export const STALE_TEMP_MS = 10 * 60_000;
/** When each path's directory was last swept: on a path's first write, then at most every STALE_TEMP_MS. */
const swept = new Map<string, number>();

/**
 * Removes temp files of `path` (`.<name>.<12 hex>.tmp`) older than {@link STALE_TEMP_MS}: each is
 * the remains of a writer that crashed between creating it and the rename. Without this a crash
 * loop would leave one per crash. Best effort: errors are ignored (the next sweep tries again).
 */
export async function sweepStaleTemps(path: string, now = Date.now()): Promise<void> {
  const last = swept.get(path);
  if (last !== undefined && now - last < STALE_TEMP_MS) return;
  swept.set(path, now);
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) continue;
    const file = join(dir, name);
    const age = await stat(file).then(
      (s) => now - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_TEMP_MS) await unlink(file).catch(() => undefined);
  }
}

/** Renames `from` to `to` and fsyncs the directories involved, so the new name survives a power cut. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  const fromDir = dirname(resolve(from));
  const toDir = dirname(resolve(to));
  await syncDirectory(toDir);
  if (fromDir !== toDir) await syncDirectory(fromDir);
}

/**
 * fsyncs a directory: makes the names created, renamed or removed in it durable. Call it after
 * creating a file that must survive a power cut (an appender's first open) or after renames
 * (rotation). A filesystem that cannot sync directories is not an error (nothing more can be done).
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * `mkdir -p dir`, durably: when it creates directories, the parent of each is fsynced, so a file
 * later written into `dir` is not lost with the directory itself.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  const absolute = resolve(dir);
  const first = await mkdir(absolute, { recursive: true });
  if (first === undefined) return;
  for (let created = absolute; ; created = dirname(created)) {
    await syncDirectory(dirname(created));
    if (created === first || dirname(created) === created) return;
  }
}

/** `.<name>.<random>.tmp` beside `path`: hidden, unique per write, and recognisable as ours. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}
