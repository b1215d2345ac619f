import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Committed read positions of one plugin: file identity → offset just past the last acknowledged line. */
export type PluginPositions = ReadonlyMap<string, number>;

/**
 * On-disk checkpoint: for every plugin, the committed offset per file identity (with the
 * file's last known path, for people reading it). Written atomically.
 */
export interface CheckpointData {
  readonly version: 1;
  readonly updatedAt: string;
  readonly plugins: Readonly<
    Record<
      string,
      { readonly files: Readonly<Record<string, { readonly offset: number; readonly path: string }>> }
    >
  >;
}

export type LoadedCheckpoint =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly plugins: Map<string, Map<string, number>> }
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
    return { status: 'ok', plugins: decode(JSON.parse(text) as Partial<CheckpointData>) };
  } catch (err) {
    const keptAs = `${path}.corrupt-${Date.now()}`;
    await rename(path, keptAs);
    return { status: 'corrupt', keptAs, error: err instanceof Error ? err.message : String(err) };
  }
}

function decode(data: Partial<CheckpointData>): Map<string, Map<string, number>> {
  if (data.version !== 1 || typeof data.plugins !== 'object' || data.plugins === null) {
    throw new Error('not a version 1 checkpoint');
  }
  const plugins = new Map<string, Map<string, number>>();
  for (const [plugin, section] of Object.entries(data.plugins)) {
    if (typeof section?.files !== 'object' || section.files === null)
      throw new Error(`no files for ${plugin}`);
    const positions = new Map<string, number>();
    for (const [id, entry] of Object.entries(section.files)) {
      if (!Number.isSafeInteger(entry?.offset) || entry.offset < 0)
        throw new Error(`bad offset for ${plugin} ${id}`);
      positions.set(id, entry.offset);
    }
    plugins.set(plugin, positions);
  }
  return plugins;
}

/** Writes the checkpoint via a temporary file, fsync and rename: a crash leaves old or new, never half. */
export async function saveCheckpoint(
  path: string,
  plugins: ReadonlyMap<string, PluginPositions>,
  paths: ReadonlyMap<string, string>,
): Promise<void> {
  const sections: Record<string, { files: Record<string, { offset: number; path: string }> }> = {};
  for (const [plugin, positions] of plugins) {
    const files: Record<string, { offset: number; path: string }> = {};
    for (const [id, offset] of positions) files[id] = { offset, path: paths.get(id) ?? '' };
    sections[plugin] = { files };
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
