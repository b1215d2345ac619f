import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A counter of plugin starts kept in the state dir. Each run writes its count totals to its own
 * second of a bucket (`generation % flushIntervalSeconds`), so a restart in the middle of a
 * bucket adds to the totals the previous run sent instead of overwriting them.
 */
export async function nextGeneration(stateDir: string, id: string): Promise<number> {
  const path = join(stateDir, `datadog-${id}.json`);
  const previous = await readFile(path, 'utf8')
    .then((text) => Number((JSON.parse(text) as { generation?: unknown }).generation))
    .catch(() => -1);
  const generation = Number.isSafeInteger(previous) && previous >= 0 ? previous + 1 : 0;
  await mkdir(stateDir, { recursive: true });
  await writeFile(`${path}.tmp`, `${JSON.stringify({ generation })}\n`);
  await rename(`${path}.tmp`, path);
  return generation;
}
