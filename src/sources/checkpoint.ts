import { readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { renameDurably, replaceFileAtomically, writeFileDurably } from '../fs/durable.js';
import type { Fingerprint } from './fingerprint.js';

/** What the checkpoint keeps of one file for one plugin. */
export interface SavedFile {
  /** Offset just past the last line whose events the plugin acknowledged. */
  readonly offset: number;
  /** The file's content identity when last seen: resumes only where it still matches. */
  readonly fingerprint?: Fingerprint;
  /** Where the file was last seen (for people reading the checkpoint). */
  readonly path?: string;
}

/** Committed read positions of one plugin: file identity (`dev:ino`) → saved file. */
export type PluginPositions = ReadonlyMap<string, SavedFile>;

/** What the tailer knows of a file, stored beside its offsets. */
export interface FileInfo {
  readonly path: string;
  readonly fingerprint?: Fingerprint;
}

/**
 * One plugin's section. `horizon` (epoch ms) is when the reader that wrote it began its first
 * complete scan: it knew every file that existed then, so on the next start a rotated sibling
 * changed after the horizon may hold unread lines, and an older one it did not keep is history.
 */
interface StoredSection {
  readonly files: Readonly<Record<string, StoredFile>>;
  readonly horizon?: number;
}

export interface StoredFile {
  readonly offset: number;
  readonly path: string;
  readonly fingerprint?: Fingerprint;
}

/** A file's entry: its offset, with its path (empty when unknown) and fingerprint when known. */
export function storedFile(offset: number, info: FileInfo | undefined): StoredFile {
  return info?.fingerprint === undefined
    ? { offset, path: info?.path ?? '' }
    : { offset, path: info.path, fingerprint: info.fingerprint };
}

/**
 * On-disk checkpoint: for every plugin, the committed offset per file identity (with the
 * file's last known path, for people reading it). Written atomically.
 */
export interface CheckpointData {
  readonly version: 1;
  readonly updatedAt: string;
  readonly plugins: Readonly<Record<string, StoredSection>>;
}

export type LoadedCheckpoint =
  | { readonly status: 'missing' }
  | {
      readonly status: 'ok';
      readonly plugins: Map<string, Map<string, SavedFile>>;
      readonly horizons: Map<string, number>;
    }
  | { readonly status: 'corrupt'; readonly keptAs: string; readonly error: string };

export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    throw err;
  }
  try {
    const data = JSON.parse(text) as Partial<CheckpointData>;
    const horizons = new Map<string, number>();
    for (const [plugin, section] of Object.entries(data.plugins ?? {})) {
      if (Number.isSafeInteger(section?.horizon)) horizons.set(plugin, section.horizon as number);
    }
    return { status: 'ok', plugins: decode(data), horizons };
  } catch (err) {
    const keptAs = `${path}.corrupt-${Date.now()}`;
    await renameDurably(path, keptAs);
    await pruneCorruptCopies(path, CORRUPT_COPIES_KEPT);
    return { status: 'corrupt', keptAs, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Corrupt checkpoints kept aside for a post-mortem; a crash loop cannot fill the state dir. */
export const CORRUPT_COPIES_KEPT = 3;

/** Deletes `<path>.corrupt-<ms>` copies beyond the newest `keep`. */
async function pruneCorruptCopies(path: string, keep: number): Promise<void> {
  const prefix = `${basename(path)}.corrupt-`;
  const copies = (await readdir(dirname(path)))
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
  for (const name of copies.slice(keep)) await unlink(join(dirname(path), name)).catch(() => undefined);
}

function decode(data: Partial<CheckpointData>): Map<string, Map<string, SavedFile>> {
  if (data.version !== 1 || typeof data.plugins !== 'object' || data.plugins === null) {
    throw new Error('not a version 1 checkpoint');
  }
  const plugins = new Map<string, Map<string, SavedFile>>();
  for (const [plugin, section] of Object.entries(data.plugins)) {
    if (typeof section?.files !== 'object' || section.files === null)
      throw new Error(`no files for ${plugin}`);
    const positions = new Map<string, SavedFile>();
    for (const [id, entry] of Object.entries(section.files)) {
      if (!Number.isSafeInteger(entry?.offset) || entry.offset < 0)
        throw new Error(`bad offset for ${plugin} ${id}`);
      const fp = entry.fingerprint;
      const valid = fp !== undefined && Number.isSafeInteger(fp.length) && typeof fp.hash === 'string';
      const path = typeof entry.path === 'string' ? entry.path : '';
      positions.set(
        id,
        valid ? { offset: entry.offset, path, fingerprint: fp } : { offset: entry.offset, path },
      );
    }
    plugins.set(plugin, positions);
  }
  return plugins;
}

/**
 * Writes the checkpoint durably (src/fs/durable.ts: temp file, fsync, rename, fsync of the
 * directory): a crash or power cut leaves the old checkpoint or the new one, never half or none.
 * On failure (a full disk) the old checkpoint stays and the error is thrown.
 */
export async function saveCheckpoint(
  path: string,
  plugins: ReadonlyMap<string, ReadonlyMap<string, number>>,
  files: ReadonlyMap<string, FileInfo>,
  horizons: ReadonlyMap<string, number> = new Map(),
  durable = true,
): Promise<void> {
  const sections: Record<string, StoredSection> = {};
  for (const [plugin, positions] of plugins) {
    const stored: Record<string, StoredFile> = {};
    for (const [id, offset] of positions) stored[id] = storedFile(offset, files.get(id));
    const horizon = horizons.get(plugin);
    sections[plugin] = horizon === undefined ? { files: stored } : { files: stored, horizon };
  }
  const data: CheckpointData = { version: 1, updatedAt: new Date().toISOString(), plugins: sections };
  const text = `${JSON.stringify(data)}\n`;
  await (durable ? writeFileDurably(path, text) : replaceFileAtomically(path, text));
}
