import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formats } from '../../../src/parsers/index.js';
import { runCli } from '../../helpers/cli.js';
import { faultyLine, responseLine } from '../../helpers/lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-parse-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gax parse --format / --host-name', () => {
  it('exits 2 for an unknown format, naming the known ones, and parses nothing', async () => {
    const log = join(dir, 'a.log');
    await writeFile(log, `${responseLine('r1')}\n`);
    const result = await runCli(['parse', '--format', 'kong', log]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('kong');
    for (const format of formats) expect(result.stderr).toContain(format.name);
  });

  it('reads wso2-apim by default and when chosen, stamping gateway.type and no host.name', async () => {
    const log = join(dir, 'a.log');
    await writeFile(log, `${responseLine('r1')}\n${faultyLine('f1')}\n`);
    for (const args of [
      ['parse', log],
      ['parse', '--format', 'wso2-apim', log],
    ]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      const events = result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(events.map((e) => e.gateway)).toEqual([{ type: 'wso2-apim' }, { type: 'wso2-apim' }]);
      expect(events.every((e) => !('host' in e))).toBe(true);
    }
  });

  it('stamps host.name with --host-name', async () => {
    const log = join(dir, 'a.log');
    await writeFile(log, `${responseLine('r1')}\n`);
    const result = await runCli(['parse', '--host-name', 'apim-gw-2', log]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      gateway: { type: 'wso2-apim' },
      host: { name: 'apim-gw-2' },
    });
  });

  it('lists every format with a sample line in its help', async () => {
    const result = await runCli(['parse', '--help']);
    expect(result.code).toBe(0);
    for (const format of formats) {
      expect(result.stdout).toContain(format.name);
      expect(format.samples.some((line) => result.stdout.includes(line))).toBe(true);
    }
  });
});
