import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGenerator } from '../../../../../src/parsers/wso2-apim/sim/generate.js';
import { simulate } from '../../../../../src/parsers/wso2-apim/sim/simulate.js';

const generator = { seed: 3, startTime: Date.UTC(2025, 0, 1), eventsPerSecond: 1000 };
const expectedLines = (n: number): string[] => {
  const g = createGenerator(generator);
  return Array.from({ length: n }, () => g.next());
};
const linesOf = (text: string): string[] => {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-sim-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('simulate', () => {
  it('creates missing directories and writes exactly maxLines generated lines', async () => {
    const path = join(dir, 'repository', 'logs', 'apim_metrics.log');
    const signal = new AbortController().signal;
    const result = await simulate({ path, ratePerSecond: 5000, signal, generator, maxLines: 700 });
    expect(result).toEqual({ lines: 700, rotatedFiles: [] });
    expect(linesOf(await readFile(path, 'utf8'))).toEqual(expectedLines(700));
  });

  it('writes about ratePerSecond lines per second and resolves when aborted', async () => {
    const path = join(dir, 'apim_metrics.log');
    const controller = new AbortController();
    const started = performance.now();
    const run = simulate({ path, ratePerSecond: 200, signal: controller.signal, generator });
    setTimeout(() => controller.abort(), 1000);
    const result = await run;
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(1.5);
    expect(result.lines).toBeGreaterThanOrEqual(140);
    expect(result.lines).toBeLessThanOrEqual(Math.ceil(200 * seconds));
    expect(linesOf(await readFile(path, 'utf8'))).toHaveLength(result.lines);
  });

  it('resolves at once with no lines when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const path = join(dir, 'apim_metrics.log');
    expect(await simulate({ path, ratePerSecond: 100, signal: controller.signal })).toEqual({
      lines: 0,
      rotatedFiles: [],
    });
  });

  it('rotates like log4j2 without losing or splitting a line', async () => {
    const path = join(dir, 'apim_metrics.log');
    const signal = new AbortController().signal;
    const result = await simulate({
      path,
      ratePerSecond: 20_000,
      signal,
      generator,
      maxLines: 1000,
      rotateEveryLines: 300,
    });
    expect(result.lines).toBe(1000);
    const rotated = result.rotatedFiles.map((f) => basename(f));
    expect(rotated).toHaveLength(3);
    rotated.forEach((name, i) => {
      expect(name).toMatch(new RegExp(`^apim_metrics-\\d{2}-\\d{2}-\\d{4}-${i + 1}\\.log$`));
    });
    expect((await readdir(dir)).sort()).toEqual([...rotated, 'apim_metrics.log'].sort());

    const files = [...result.rotatedFiles, path];
    const contents = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    const perFile = contents.map(linesOf);
    expect(perFile.map((l) => l.length)).toEqual([300, 300, 300, 100]);
    expect(perFile.flat()).toEqual(expectedLines(1000));
  });

  it('continues the rotation index after files already in the directory', async () => {
    const path = join(dir, 'apim_metrics.log');
    const signal = new AbortController().signal;
    const options = { path, ratePerSecond: 20_000, signal, generator, rotateEveryLines: 10 };
    const first = await simulate({ ...options, maxLines: 20 });
    const second = await simulate({ ...options, maxLines: 20 });
    const names = [...first.rotatedFiles, ...second.rotatedFiles].map((f) => basename(f));
    expect(names.map((n) => /-(\d+)\.log$/.exec(n)![1])).toEqual(['1', '2']);
  });

  it('keeps only the newest keepRotated rolled files, like log4j2 max, so the demo cannot fill a disk', async () => {
    const path = join(dir, 'apim_metrics.log');
    const signal = new AbortController().signal;
    const result = await simulate({
      path,
      ratePerSecond: 20_000,
      signal,
      generator,
      maxLines: 1000,
      rotateEveryLines: 100,
      keepRotated: 2,
    });
    expect(result.rotatedFiles).toHaveLength(9);
    const left = (await readdir(dir)).filter((n) => n !== 'apim_metrics.log');
    expect(left.map((n) => /-(\d+)\.log$/.exec(n)?.[1]).sort()).toEqual(['8', '9']);
  });
});
