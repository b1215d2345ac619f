import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** On-disk checkpoint: committed offset per file identity. Written atomically. */
export interface CheckpointData {
  readonly version: 1;
  readonly updatedAt: string;
  readonly files: Readonly<Record<string, { readonly offset: number; readonly path: string }>>;
}

export type LoadedCheckpoint =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly positions: Map<string, number> }
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
    if (data.version !== 1 || typeof data.files !== 'object' || data.files === null) {
      throw new Error('not a version 1 checkpoint');
    }
    const positions = new Map<string, number>();
    for (const [id, entry] of Object.entries(data.files)) {
      if (!Number.isSafeInteger(entry?.offset) || entry.offset < 0) throw new Error(`bad offset for ${id}`);
      positions.set(id, entry.offset);
    }
    return { status: 'ok', positions };
  } catch (err) {
    const keptAs = `${path}.corrupt-${Date.now()}`;
    await rename(path, keptAs);
    return { status: 'corrupt', keptAs, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Writes the checkpoint via a temporary file, fsync and rename: a crash leaves old or new, never half. */
export async function saveCheckpoint(
  path: string,
  positions: ReadonlyMap<string, number>,
  paths: ReadonlyMap<string, string>,
): Promise<void> {
  const files: Record<string, { offset: number; path: string }> = {};
  for (const [id, offset] of positions) files[id] = { offset, path: paths.get(id) ?? '' };
  const data: CheckpointData = { version: 1, updatedAt: new Date().toISOString(), files };
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
