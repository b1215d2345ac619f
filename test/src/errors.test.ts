import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, GaxError, renderGaxError } from '../../src/errors.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Every .ts file under `dir`, recursively. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('error catalog', () => {
  it('lists exactly the codes of src/errors.ts in docs/errors.md', async () => {
    const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\|\s*`(GAX_ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(errorCodes).sort());
  });

  it('names every code GAX_ERR_<AREA>_<WHAT>', () => {
    for (const code of Object.keys(errorCodes)) expect(code).toMatch(/^GAX_ERR_[A-Z]+_[A-Z_]+$/);
  });

  it('keeps the code and details on a GaxError', () => {
    const err = new GaxError('GAX_ERR_CONFIG_INVALID', 'bad', { details: ['a: b'] });
    expect(err.code).toBe('GAX_ERR_CONFIG_INVALID');
    expect(err.details).toEqual(['a: b']);
  });
});

describe('rendering coded errors', () => {
  it('renders details, then `gax <command>: <message> [<code>]`, then the errors it carries', () => {
    const err = new GaxError('GAX_ERR_INPUT_READ', 'cannot read a.log: ENOENT', {
      command: 'replay',
      details: ['first detail'],
      also: [new GaxError('GAX_ERR_INPUT_READ', 'cannot read b.log: EISDIR', { command: 'replay' })],
    });
    expect(renderGaxError(err)).toBe(
      'first detail\ngax replay: cannot read a.log: ENOENT [GAX_ERR_INPUT_READ]\ngax replay: cannot read b.log: EISDIR [GAX_ERR_INPUT_READ]\n',
    );
    expect(renderGaxError(new GaxError('GAX_ERR_SETUP_FAILED', 'x'))).toBe('gax: x [GAX_ERR_SETUP_FAILED]\n');
  });

  it('exits 2 for usage and config errors, 1 for the others, unless told', () => {
    expect(new GaxError('GAX_ERR_CLI_USAGE', 'x').exitCode).toBe(2);
    expect(new GaxError('GAX_ERR_CONFIG_INVALID', 'x').exitCode).toBe(2);
    expect(new GaxError('GAX_ERR_SETUP_FAILED', 'x').exitCode).toBe(1);
    expect(new GaxError('GAX_ERR_REPLAY_REFUSED', 'x', { exitCode: 2 }).exitCode).toBe(2);
  });

  it('has no hand-written `[GAX_ERR_…]` in src/ or plugins/: every code is rendered by renderGaxError', async () => {
    const files = [...(await sources(join(ROOT, 'src'))), ...(await sources(join(ROOT, 'plugins')))];
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (/\[GAX_ERR_[A-Z_]*\]?/.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
