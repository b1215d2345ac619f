import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Fingerprint } from './fingerprint.js';

/** What the checkpoint keeps of one file for one plugin. */
export interface SavedFile {
  /** Offset just past the last line whose events the plugin acknowledged. */
  readonly offset: number;
  /** The file's content identity when last seen: resumes only where it still matches. */
  readonly fingerprint?: Fingerprint;
}

/** Committed read positions of one plugin: file identity (`dev:ino`) → saved file. */
export type PluginPositions = ReadonlyMap<string, SavedFile>;

/** What the tailer knows of a file, stored beside its offsets. */
export interface FileInfo {
  readonly path: string;
  readonly fingerprint?: Fingerprint;
}

interface StoredFile {
  readonly offset: number;
  readonly path: string;
  readonly fingerprint?: Fingerprint;
}

/**
 * On-disk checkpoint: for every plugin, the committed offset per file identity (with the
 * file's last known path, for people reading it). Written atomically.
 */
export interface CheckpointData {
  readonly version: 1;
  readonly updatedAt: string;
  readonly plugins: Readonly<Record<string, { readonly files: Readonly<Record<string, StoredFile>> }>>;
}

export type LoadedCheckpoint =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly plugins: Map<string, Map<string, SavedFile>>; readonly savedAt: number }
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
    const savedAt = Date.parse(data.updatedAt ?? '');
    return { status: 'ok', plugins: decode(data), savedAt: Number.isNaN(savedAt) ? 0 : savedAt };
  } catch (err) {
    const keptAs = `${path}.corrupt-${Date.now()}`;
    await rename(path, keptAs);
    return { status: 'corrupt', keptAs, error: err instanceof Error ? err.message : String(err) };
  }
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
      positions.set(id, valid ? { offset: entry.offset, fingerprint: fp } : { offset: entry.offset });
    }
    plugins.set(plugin, positions);
  }
  return plugins;
}

/** Writes the checkpoint via a temporary file, fsync and rename: a crash leaves old or new, never half. */
export async function saveCheckpoint(
  path: string,
  plugins: ReadonlyMap<string, ReadonlyMap<string, number>>,
  files: ReadonlyMap<string, FileInfo>,
): Promise<void> {
  const sections: Record<string, { files: Record<string, StoredFile> }> = {};
  for (const [plugin, positions] of plugins) {
    const stored: Record<string, StoredFile> = {};
    for (const [id, offset] of positions) {
      const info = files.get(id);
      stored[id] =
        info?.fingerprint === undefined
          ? { offset, path: info?.path ?? '' }
          : { offset, path: info.path, fingerprint: info.fingerprint };
    }
    sections[plugin] = { files: stored };
  }
  const data: CheckpointData = { version: 1, updatedAt: new Date().toISOString(), plugins: sections };
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(data)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}
