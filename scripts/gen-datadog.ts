import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderDatadogBundle } from './datadog/index.js';

/**
 * Writes dashboards/datadog/ (one `dashboard-<key>.json` per dashboard, `monitors.json`, README.md)
 * from the builders in scripts/datadog/. `npx tsx scripts/gen-datadog.ts` (re)writes them and
 * removes dashboard files no longer generated; `--check` exits 1 when the directory differs.
 */

export const DATADOG_DIR = fileURLToPath(new URL('../dashboards/datadog/', import.meta.url));
export const REGENERATE_DATADOG = 'npx tsx scripts/gen-datadog.ts';

/** Generated files that differ from disk, and dashboard files on disk that are not generated. */
export async function staleDatadogFiles(dir: string = DATADOG_DIR): Promise<string[]> {
  const files = renderDatadogBundle();
  const stale: string[] = [];
  for (const { name, text } of files) {
    const current = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (current !== text) stale.push(name);
  }
  const generated = new Set(files.map((f) => f.name));
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (/^dashboard-.+\.json$/.test(name) && !generated.has(name)) stale.push(name);
  }
  return stale;
}

async function main(check: boolean): Promise<number> {
  if (check) {
    const stale = await staleDatadogFiles();
    for (const name of stale)
      process.stderr.write(`${join(DATADOG_DIR, name)} is out of date: run ${REGENERATE_DATADOG}\n`);
    return stale.length === 0 ? 0 : 1;
  }
  const files = renderDatadogBundle();
  const generated = new Set(files.map((f) => f.name));
  for (const name of await readdir(DATADOG_DIR).catch(() => [] as string[])) {
    if (/^dashboard-.+\.json$/.test(name) && !generated.has(name)) await rm(join(DATADOG_DIR, name));
  }
  for (const { name, text } of files) {
    await writeFile(join(DATADOG_DIR, name), text);
    process.stdout.write(`wrote ${join(DATADOG_DIR, name)}\n`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.includes('--check'));
}
