import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildKibanaObjects, DASHBOARD_SPECS, toNdjson } from './kibana/index.js';
import { renderReadme } from './kibana/readme.js';

/**
 * Writes dashboards/kibana/gax-dashboards.ndjson (the saved objects `gax setup kibana` imports) and
 * its README from the builders in scripts/kibana/. `npx tsx scripts/gen-kibana.ts` (re)writes both;
 * `--check` exits 1 when a file on disk differs from what would be written.
 */

/** The bundled export file. */
export const KIBANA_NDJSON_PATH = fileURLToPath(
  new URL('../dashboards/kibana/gax-dashboards.ndjson', import.meta.url),
);
/** Its README. */
export const KIBANA_README_PATH = fileURLToPath(new URL('../dashboards/kibana/README.md', import.meta.url));

/** Both files' paths and the text they should have. */
export function renderKibanaFiles(): { path: string; text: string }[] {
  const objects = buildKibanaObjects();
  return [
    { path: KIBANA_NDJSON_PATH, text: toNdjson(objects) },
    { path: KIBANA_README_PATH, text: renderReadme(objects, DASHBOARD_SPECS) },
  ];
}

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const { path, text } of renderKibanaFiles()) {
    if (!check) {
      await writeFile(path, text);
      process.stdout.write(`wrote ${path}\n`);
      continue;
    }
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current === text) continue;
    process.stderr.write(`${path} is out of date: run npx tsx scripts/gen-kibana.ts\n`);
    stale += 1;
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.includes('--check'));
}
