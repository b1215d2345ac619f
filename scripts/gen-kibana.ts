import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildKibanaObjects, DASHBOARD_SPECS, toNdjson } from './kibana/index.js';
import { renderReadme } from './kibana/readme.js';
import { buildSummaryObjects, renderSummariesReadme } from './kibana/summaries.js';

/**
 * Writes dashboards/kibana/gax-dashboards.ndjson (the saved objects `gax setup kibana` imports),
 * gax-summaries-dashboards.ndjson (the long-range dashboards) and their README from the builders
 * in scripts/kibana/. `npx tsx scripts/gen-kibana.ts` (re)writes all three;
 * `--check` exits 1 when a file on disk differs from what would be written.
 */

/** The bundled export file. */
export const KIBANA_NDJSON_PATH = fileURLToPath(
  new URL('../dashboards/kibana/gax-dashboards.ndjson', import.meta.url),
);
/** The long-range dashboards on the summaries plugin's indices. */
export const KIBANA_SUMMARIES_NDJSON_PATH = fileURLToPath(
  new URL('../dashboards/kibana/gax-summaries-dashboards.ndjson', import.meta.url),
);
/** Their README. */
export const KIBANA_README_PATH = fileURLToPath(new URL('../dashboards/kibana/README.md', import.meta.url));

/** The files' paths and the text they should have. */
export function renderKibanaFiles(): { path: string; text: string }[] {
  const objects = buildKibanaObjects();
  const summaries = buildSummaryObjects();
  const readme = renderReadme(objects, DASHBOARD_SPECS) + renderSummariesReadme(summaries);
  return [
    { path: KIBANA_NDJSON_PATH, text: toNdjson(objects) },
    { path: KIBANA_SUMMARIES_NDJSON_PATH, text: toNdjson(summaries) },
    { path: KIBANA_README_PATH, text: readme },
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
