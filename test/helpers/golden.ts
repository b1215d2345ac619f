import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { expect } from 'vitest';

/** The one command that (re)writes golden files; named in every "golden file missing" failure. */
export const GOLDEN_UPDATE_COMMAND = 'npm run test:golden:update';

/**
 * Compares `actual` with the JSON golden file `file`, as parsed data (deep equality, so key order
 * and formatting do not matter). With `GAX_UPDATE_GOLDEN=1` it writes `actual` to `file` instead.
 * A missing golden file fails the test: goldens are only written on purpose, then reviewed.
 */
export async function expectGolden(file: string, actual: unknown): Promise<void> {
  const normalised: unknown = JSON.parse(JSON.stringify(actual));
  if (process.env.GAX_UPDATE_GOLDEN === '1') {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(normalised, null, 2)}\n`);
    return;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(
      `Golden file ${file} is missing. Create it with \`${GOLDEN_UPDATE_COMMAND}\`, review it, commit it.`,
    );
  }
  expect(normalised, `differs from golden file ${file} (update: ${GOLDEN_UPDATE_COMMAND})`).toEqual(
    JSON.parse(text),
  );
}
