import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorCodes, GaxError } from '../../src/errors.js';

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
