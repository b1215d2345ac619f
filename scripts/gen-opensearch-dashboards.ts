import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildOpenSearchObjects, toNdjson } from './opensearch-dashboards/index.js';
import { renderReadme } from './opensearch-dashboards/readme.js';

/**
 * Writes dashboards/opensearch/gax-dashboards.ndjson (what `gax setup opensearch-dashboards`
 * imports) and its README from the builders in scripts/opensearch-dashboards/.
 * `npx tsx scripts/gen-opensearch-dashboards.ts` (re)writes both; `--check` exits 1 when a file on
 * disk differs from what would be written.
 */

export const OSD_NDJSON_PATH = fileURLToPath(
  new URL('../dashboards/opensearch/gax-dashboards.ndjson', import.meta.url),
);
export const OSD_README_PATH = fileURLToPath(new URL('../dashboards/opensearch/README.md', import.meta.url));

/** The files' paths and the text they should have. */
export function renderOpenSearchFiles(): { path: string; text: string }[] {
  const objects = buildOpenSearchObjects();
  return [
    { path: OSD_NDJSON_PATH, text: toNdjson(objects) },
    { path: OSD_README_PATH, text: renderReadme(objects) },
  ];
}

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const { path, text } of renderOpenSearchFiles()) {
    if (!check) {
      await writeFile(path, text);
      process.stdout.write(`wrote ${path}\n`);
      continue;
    }
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current === text) continue;
    process.stderr.write(`${path} is out of date: run npx tsx scripts/gen-opensearch-dashboards.ts\n`);
    stale += 1;
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.includes('--check'));
}
