import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CanonicalEventSchema } from '../src/schema/event.js';

/**
 * Writes schemas/event.schema.json from the TypeBox schema in src/schema/event.ts.
 * `npx tsx scripts/gen-event-schema.ts` (re)writes it; `--check` exits 1 when the file on disk
 * differs from what the generator would write (a unit test runs the same comparison).
 */

export const EVENT_SCHEMA_PATH = fileURLToPath(new URL('../schemas/event.schema.json', import.meta.url));
const BIOME = fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url));

/** The JSON Schema (draft 2020-12) as plain data: TypeBox's symbol-keyed metadata left out. */
export function eventJsonSchema(): Record<string, unknown> {
  const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...CanonicalEventSchema };
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** The file's exact text, formatted by the repo's Biome so `biome check` agrees with it. */
export function renderEventSchema(): string {
  const raw = `${JSON.stringify(eventJsonSchema(), null, 2)}\n`;
  const biome = spawnSync(process.execPath, [BIOME, 'format', `--stdin-file-path=${EVENT_SCHEMA_PATH}`], {
    input: raw,
    encoding: 'utf8',
  });
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout;
}

async function main(argv: readonly string[]): Promise<number> {
  const expected = renderEventSchema();
  if (!argv.includes('--check')) {
    await writeFile(EVENT_SCHEMA_PATH, expected);
    process.stdout.write(`wrote ${EVENT_SCHEMA_PATH}\n`);
    return 0;
  }
  const actual = await readFile(EVENT_SCHEMA_PATH, 'utf8').catch(() => undefined);
  if (actual === expected) return 0;
  process.stderr.write(`${EVENT_SCHEMA_PATH} is out of date; run: npx tsx scripts/gen-event-schema.ts\n`);
  return 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
