import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigWatch, ReloadQueue, watchConfigFile } from '../../../src/reload/trigger.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ReloadQueue', () => {
  it('runs one reload at a time and folds the requests made during one into a single more', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const queue = new ReloadQueue(async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      await sleep(30);
      running--;
    });
    const first = queue.request();
    await sleep(5);
    void queue.request();
    void queue.request();
    void queue.request();
    await first;
    expect({ runs, most }).toEqual({ runs: 2, most: 1 });
    await queue.request();
    expect(runs).toBe(3);
  });
});

describe('watchConfigFile', () => {
  let dir: string | undefined;
  let watch: ConfigWatch | undefined;
  afterEach(async () => {
    watch?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('calls back once after a burst of writes that change the text, also when a file is renamed over it, and not for the same text', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-watch-'));
    const path = join(dir, 'gax.yaml');
    await writeFile(path, 'a: 1\n');
    let changes = 0;
    watch = watchConfigFile(path, () => changes++, 100);
    await sleep(50);
    for (const text of ['a: 2\n', 'a: 3\n', 'a: 4\n']) await writeFile(path, text);
    await sleep(400);
    expect(changes).toBe(1);
    await writeFile(path, 'a: 4\n');
    await sleep(400);
    expect(changes, 'same text').toBe(1);
    await writeFile(join(dir, 'gax.yaml.new'), 'a: 5\n');
    await rename(join(dir, 'gax.yaml.new'), path);
    await sleep(400);
    expect(changes, 'renamed over').toBe(2);
  });
});
