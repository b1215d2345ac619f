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

const blocked = () => join(dir, 'blocked');
const log = () => join(dir, 'logs', 'apim_metrics.log');

/**
 * A daemon whose file plugin is `file`, its dead-letter file under `blocked/`, a regular file
 * for now (so it cannot be written), started on a log of `first`.
 */
async function startBlocked(file: ScriptedPlugin, first: string, workers = 0): Promise<void> {
  await writeFile(blocked(), 'a file where the dead-letter directory should be');
  const base = testConfig(dir);
  const deadLetter = { ...base.pipeline.deadLetter, path: join(blocked(), 'dead.ndjson') };
  const config = { ...base, pipeline: { ...base.pipeline, workers, deadLetter } };
  daemon = new Daemon({ config, logger: silentLogger(), version: 'test', plugins: { file } });
  await writeFile(log(), first);
  await daemon.start();
}

/** Makes the dead-letter file writable: `blocked/` a directory. */
async function unblock(): Promise<void> {
  await rm(blocked());
  await mkdir(blocked());
}

async function deadLetters(): Promise<string[][]> {
  const dead = await readNdjson<{ stage: string; reason: string }>(join(blocked(), 'dead.ndjson'));
  return dead.map((r) => [r.stage, r.reason]);
}

describe('dead-letter file not writable', () => {
  it.each([
    0, 2,
  ])('holds the chunk with a rejected line until it is kept, then delivers every good event once (pipeline.workers %i)', async (workers) => {
    const file = new ScriptedPlugin(() => DELIVERED);
    await startBlocked(file, `${responseLine('a')}\n`, workers);
    await waitFor(() => file.delivered.length === 1, 10_000, 'a');

    await appendFile(log(), `${responseLine('b')}\n${truncatedLine('bad')}\n${responseLine('c')}\n`);
    await new Promise((r) => setTimeout(r, 600));
    await appendFile(log(), `${responseLine('d')}\n`);
    await new Promise((r) => setTimeout(r, 600));
    // Nothing past the rejected line's chunk is handed over while it cannot be kept.
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['a']);

    await unblock();
    await waitFor(() => file.delivered.length >= 4, 15_000, 'b, c, d once the file can be written');
    await new Promise((r) => setTimeout(r, 200));
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['a', 'b', 'c', 'd']);
    expect(await deadLetters()).toEqual([['parse', 'truncated_json']]);
  });

  it('holds a batch whose refused event cannot be kept, and delivers on once it can (the lane does not die)', async () => {
    const file = new ScriptedPlugin((e) =>
      e.correlationId === 'refused' ? rejected('mapping conflict') : DELIVERED,
    );
    await startBlocked(file, `${responseLine('a')}\n${responseLine('refused')}\n`);
    await waitFor(() => file.delivered.length === 1, 10_000, 'a');
    await new Promise((r) => setTimeout(r, 500));
    await unblock();
    await appendFile(log(), `${responseLine('b')}\n`);
    await waitFor(() => file.delivered.length === 2, 15_000, 'b after the dead-letter file can be written');
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['a', 'b']);
    expect(await deadLetters()).toEqual([['deliver', 'mapping conflict']]);
  });
});
