import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../../src/fs/durable.js';

/**
 * The state file of instance `id`: `datadog-datadog.json` for `datadog` (the name every release
 * has used, so existing state keeps working), `datadog-datadog.eu.json` for the named instance
 * `datadog/eu` (a `/` would name a directory; instance names have no `.`, so no two ids meet).
 */
export function generationFile(id: string): string {
  return `datadog-${id.replaceAll('/', '.')}.json`;
}

/**
 * A counter of plugin starts kept in the state dir. Each run writes its count totals to its own
 * second of a bucket (`generation % flushIntervalSeconds`), so a restart in the middle of a
 * bucket adds to the totals the previous run sent instead of overwriting them.
 */
export async function nextGeneration(stateDir: string, id: string): Promise<number> {
  const path = join(stateDir, generationFile(id));
  const previous = await readFile(path, 'utf8')
    .then((text) => Number((JSON.parse(text) as { generation?: unknown }).generation))
    .catch(() => -1);
  const generation = Number.isSafeInteger(previous) && previous >= 0 ? previous + 1 : 0;
  // Durable (src/fs/durable.ts): a generation lost to a power cut would reuse the last run's second.
  await writeFileDurably(path, `${JSON.stringify({ generation })}\n`);
  return generation;
}
