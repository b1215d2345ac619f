import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../../plugins/summaries/tables.js';

describe('summaries README', () => {
  it('maps every column of every table to where it comes from in a 4.x event', async () => {
    const readme = await readFile(new URL('../../../plugins/summaries/README.md', import.meta.url), 'utf8');
    const missing: string[] = [];
    for (const t of TABLES) {
      if (!readme.includes(`### \`${t.name}${t.granular ? '_<GRANULARITY>' : ''}\``)) missing.push(t.name);
      for (const k of t.keys)
        if (!readme.includes(`| \`${k.name}\` (key) | ${k.source} |`)) missing.push(`${t.name}.${k.name}`);
      for (const c of [...t.attributes, ...t.sums])
        if (!readme.includes(`| \`${c.name}\` | ${c.source} |`)) missing.push(`${t.name}.${c.name}`);
    }
    expect(missing).toEqual([]);
  });
});
