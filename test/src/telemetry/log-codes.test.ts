/**
 * Error codes in code are the catalog's (src/errors.ts): a `'GAX_ERR_…'` literal anywhere in src/
 * or plugins/ must be a catalog code, and one in a log call's fields must be checked by the
 * compiler (`code: 'GAX_ERR_…' satisfies ErrorCode`), since pino's fields are untyped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../../src/errors.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

interface Literal {
  readonly where: string;
  readonly code: string;
  /** The log call the literal is an argument of (within the 8 lines before it), if any. */
  readonly inLog: boolean;
  readonly checked: boolean;
}

async function literals(): Promise<Literal[]> {
  const found: Literal[] = [];
  for (const top of ['src', 'plugins']) {
    const entries = await readdir(join(ROOT, top), { withFileTypes: true, recursive: true });
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith('.ts')) continue;
      const file = join(e.parentPath, e.name);
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const m of line.matchAll(/(code: )?'(GAX_ERR_[A-Za-z0-9_]*)'( satisfies ErrorCode)?/g)) {
          const before = [...lines.slice(Math.max(0, i - 8), i), line.slice(0, m.index)].join('\n');
          const call = /\b(log|logger)\.(trace|debug|info|warn|error|fatal)\(\s*\{[^}]*$/.test(before);
          found.push({
            where: `${relative(ROOT, file)}:${i + 1}`,
            code: m[2] ?? '',
            inLog: m[1] !== undefined && call,
            checked: m[3] !== undefined,
          });
        }
      });
    }
  }
  return found;
}

describe('error codes in src/ and plugins/', () => {
  it('are all in the catalog of src/errors.ts', async () => {
    const all = await literals();
    expect(all.length).toBeGreaterThan(30);
    const unknown = all.filter((l) => !(l.code in errorCodes)).map((l) => `${l.where}: ${l.code}`);
    expect(unknown).toEqual([]);
  });

  it('are checked by the compiler in log calls (satisfies ErrorCode)', async () => {
    const inLogs = (await literals()).filter((l) => l.inLog);
    expect(inLogs.length).toBeGreaterThan(15);
    expect(inLogs.filter((l) => !l.checked).map((l) => `${l.where}: ${l.code}`)).toEqual([]);
  });
});
