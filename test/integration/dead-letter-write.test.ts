/**
 * Bad input never loses good data, also when the dead-letter file cannot be written (a full or
 * read-only disk): the chunk holding a rejected line is not handed to any plugin until the line
 * is kept, so reading pauses (the log file is the buffer) and resumes once the file can be
 * written, every good event then delivered once and the bad line kept.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { DELIVERED, rejected } from '../../src/plugin/result.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { ScriptedPlugin } from '../doubles/plugins.js';
import { readNdjson, testConfig, waitFor } from '../helpers/daemon.js';
import { responseLine, truncatedLine } from '../helpers/lines.js';

let dir: string;
let daemon: Daemon | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-dlw-'));
  await mkdir(join(dir, 'logs'));
});

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('dead-letter file not writable', () => {
  it.each([
    0, 2,
  ])('holds the chunk with a rejected line until it is kept, then delivers every good event once (pipeline.workers %i)', async (workers) => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where the dead-letter directory should be');
    const base = testConfig(dir);
    const config = {
      ...base,
      pipeline: {
        ...base.pipeline,
        workers,
        deadLetter: { ...base.pipeline.deadLetter, path: join(blocked, 'dead.ndjson') },
      },
    };
    const file = new ScriptedPlugin(() => DELIVERED);
    daemon = new Daemon({ config, logger: silentLogger(), version: 'test', plugins: { file } });
    const log = join(dir, 'logs', 'apim_metrics.log');
    await writeFile(log, `${responseLine('a')}\n`);
    await daemon.start();
    await waitFor(() => file.delivered.length === 1, 10_000, 'a');

    await appendFile(log, `${responseLine('b')}\n${truncatedLine('bad')}\n${responseLine('c')}\n`);
    await new Promise((r) => setTimeout(r, 600));
    await appendFile(log, `${responseLine('d')}\n`);
    await new Promise((r) => setTimeout(r, 600));
    // Nothing past the rejected line's chunk is handed over while it cannot be kept.
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['a']);

    await rm(blocked);
    await mkdir(blocked);
    await waitFor(() => file.delivered.length >= 4, 15_000, 'b, c, d once the file can be written');
    await new Promise((r) => setTimeout(r, 200));
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['a', 'b', 'c', 'd']);
    const dead = await readNdjson<{ stage: string; reason: string }>(join(blocked, 'dead.ndjson'));
    expect(dead.map((r) => [r.stage, r.reason])).toEqual([['parse', 'truncated_json']]);
  });

  it('holds a batch whose refused event cannot be kept, and delivers on once it can (the lane does not die)', async () => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where the dead-letter directory should be');
    const base = testConfig(dir);
    const config = {
      ...base,
      pipeline: {
        ...base.pipeline,
        deadLetter: { ...base.pipeline.deadLetter, path: join(blocked, 'dead.ndjson') },
      },
    };
    const file = new ScriptedPlugin((e) =>
      e.correlationId === 'refused' ? rejected('mapping conflict') : DELIVERED,
    );
    daemon = new Daemon({ config, logger: silentLogger(), version: 'test', plugins: { file } });
    const log = join(dir, 'logs', 'apim_metrics.log');
    await writeFile(log, `${responseLine('a')}\n${responseLine('refused')}\n`);
    await daemon.start();
    await waitFor(() => file.delivered.length === 1, 10_000, 'a');
    await new Promise((r) => setTimeout(r, 500));
    await rm(blocked);
    await mkdir(blocked);
    await appendFile(log, `${responseLine('b')}\n`);
    await waitFor(() => file.delivered.length === 2, 15_000, 'b after the dead-letter file can be written');
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['a', 'b']);
    const dead = await readNdjson<{ stage: string; reason: string }>(join(blocked, 'dead.ndjson'));
    expect(dead.map((r) => [r.stage, r.reason])).toEqual([['deliver', 'mapping conflict']]);
  });
});
