/**
 * The shared reader and a plugin instance's feed (src/sources/shared-reader.ts, input-feed.ts)
 * on real files, with each instance's accepting held or released by the test: the moments of a
 * detach are set exactly, not raced.
 */
import { appendFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import type { ParsedChunk } from '../../../src/sources/ingest.js';
import { InputFeed } from '../../../src/sources/input-feed.js';
import { SharedReader, type SharedReaderOptions } from '../../../src/sources/shared-reader.js';
import { type LineChunk, Tailer } from '../../../src/sources/tailer.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { waitFor } from '../../helpers/daemon.js';

let dir: string;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-shared-unit-'));
  await mkdir(join(dir, 'logs'));
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await rm(dir, { recursive: true, force: true });
});

const log = () => join(dir, 'logs', 'app.log');
const rotated = (n: number) => join(dir, 'logs', `app-${n}.log`);
const lines = (ids: readonly string[]) => `${ids.join('\n')}\n`;
const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const tailerSettings = () => ({
  patterns: [log()],
  siblingPatterns: [join(dir, 'logs', 'app-*.log')],
  from: 'beginning' as const,
  pollIntervalMs: 50,
  maxLineBytes: 4096,
  partialLineTimeoutMs: 200,
  logger: silentLogger(),
});

/** Each line is its own event (the line's text stands for the event). */
const parse = (chunk: LineChunk): ParsedChunk => ({
  chunk,
  events: chunk.lines.map((l) => ({ id: l.kind === 'line' ? l.text : '' }) as unknown as CanonicalEvent),
  rejects: [],
  responses: chunk.lines.length,
  faulty: 0,
  skips: undefined,
});

/** A plugin instance whose accepting the test holds (`hold()`) and lets go (`release()`). */
class Instance {
  readonly got: string[] = [];
  detaches = 0;
  readonly feed: InputFeed;
  #gate: { promise: Promise<void>; open: () => void } | undefined;
  constructor(id: string, shared: SharedReader) {
    this.feed = new InputFeed({
      id,
      shared,
      feed: async (parsed) => {
        await this.#gate?.promise;
        for (const e of parsed.events) this.got.push((e as unknown as { id: string }).id);
      },
      behind: () => false,
      parse,
      deadLetter: { write: async () => {} },
      onEvent: () => {},
      onChunkRead: () => {},
      tailer: (options) => new Tailer({ ...tailerSettings(), ...options }),
      onDetached: () => {
        this.detaches++;
      },
      onOwnReader: () => {},
      logger: silentLogger(),
    });
    stops.push(() => this.feed.stop());
  }
  hold(): void {
    let open = (): void => {};
    const promise = new Promise<void>((r) => {
      open = r;
    });
    this.#gate = { promise, open };
  }
  release(): void {
    this.#gate?.open();
    this.#gate = undefined;
  }
}

function sharedReader(detachAfterMs: number, ahead?: SharedReaderOptions['ahead']): SharedReader {
  const shared = new SharedReader({
    tailer: { ...tailerSettings(), saved: new Map(), readChunkBytes: 64 },
    parse,
    ...(ahead === undefined ? {} : { ahead }),
    deadLetter: { write: async () => {} },
    detachAfterMs,
    logger: silentLogger(),
  });
  stops.push(() => shared.stop());
  return shared;
}

describe('SharedReader and InputFeed', () => {
  it('a generation written and rotated in full between the last scan and a detach is read by the detached instance', async () => {
    await writeFile(log(), lines(range('a', 5)));
    // Let go after longer than a file's time may lag the horizon (MTIME_SLACK_MS): by time, c* would be history.
    const shared = sharedReader(1_500);
    const fast = new Instance('fast', shared);
    const slow = new Instance('slow', shared);
    fast.feed.start(new Map(), undefined, 'beginning');
    slow.feed.start(new Map(), undefined, 'beginning');
    shared.start();
    await waitFor(() => slow.got.length === 5, 5_000, 'first lines');

    slow.hold();
    await appendFile(log(), lines(range('b', 5)));
    // The shared reader now waits for `slow` to accept b*: it does not scan. Meanwhile a whole
    // generation is written and rotated: it is in no snapshot the shared reader can take.
    await waitFor(() => fast.got.length === 10, 5_000, 'b* to fast');
    await rename(log(), rotated(1));
    await writeFile(log(), lines(range('c', 10)));
    await rename(log(), rotated(2));
    await writeFile(log(), '');
    await waitFor(() => slow.detaches === 1, 5_000, 'slow let go');
    slow.release();
    await appendFile(log(), lines(range('d', 3)));

    const all = [...range('a', 5), ...range('b', 5), ...range('c', 10), ...range('d', 3)];
    await waitFor(
      () => fast.got.length >= all.length && slow.got.length >= all.length,
      5_000,
      'every line',
    ).catch(() => undefined);
    expect(fast.got).toEqual(all);
    expect(slow.got).toEqual(all);
    await waitFor(() => !slow.feed.ownReader, 5_000, 'slow rejoined');
    await appendFile(log(), lines(range('e', 2)));
    await waitFor(() => slow.got.length === all.length + 2, 5_000, 'e* to slow');
    expect(slow.got.slice(all.length)).toEqual(range('e', 2));
  });

  it('parsing ahead (workers): results that come back in any order, or fail, are handed over in the order read, rotations between them', async () => {
    let n = 0;
    // Each chunk takes 0–15 ms, every 7th fails (a worker lost): parsed here instead.
    const ahead = {
      window: 4,
      parse: async (chunk: LineChunk): Promise<ParsedChunk> => {
        const k = n++;
        await new Promise((r) => setTimeout(r, (k * 7919) % 16));
        if (k % 7 === 3) throw new Error('worker lost');
        return parse(chunk);
      },
    };
    const shared = sharedReader(5_000, ahead);
    const one = new Instance('one', shared);
    const two = new Instance('two', shared);
    one.feed.start(new Map(), undefined, 'beginning');
    two.feed.start(new Map(), undefined, 'beginning');
    const all: string[] = [];
    const write = async (ids: string[]) => {
      all.push(...ids);
      await appendFile(log(), lines(ids));
    };
    await write(range('a', 40));
    shared.start();
    for (let g = 1; g <= 6; g++) {
      await write(range(`g${g}-`, 30));
      if (g % 2 === 0) {
        await rename(log(), rotated(g));
        await writeFile(log(), '');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => one.got.length >= all.length && two.got.length >= all.length, 10_000, 'every line');
    expect(one.got).toEqual(all);
    expect(two.got).toEqual(all);
    expect(n).toBeGreaterThan(15); // 64-byte reads: many chunks, up to 4 in flight at once
  });

  // A rename rotation racing the shared reader's scan (it lost a whole generation once in CI,
  // reload-storm): a file the shared reader released and resumes at its end, and a catch-up
  // reader that joined without ever having read it.
  it('a catch-up reader that joins while the shared reader has a file released and not seen again yet still gets that file', async () => {
    await writeFile(log(), lines(range('a', 5)));
    const info = await stat(log());
    const idA = `${info.dev}:${info.ino}`;
    const shared = sharedReader(60_000);
    const fast = new Instance('fast', shared);
    const slow = new Instance('slow', shared);
    fast.feed.start(new Map(), undefined, 'beginning');
    // Its checkpoint is not where the shared reader starts: it reads alone (a restart on reload).
    slow.hold();
    slow.feed.start(new Map([[idA, { offset: 3 }]]), undefined, 'beginning'); // a0 was delivered
    expect(slow.feed.ownReader).toBe(true);
    shared.start();
    await waitFor(() => fast.got.length === 5, 5_000, 'a* to fast');

    // While the catch-up reader is busy (its pipeline full: no scan), a generation b* appears, is
    // read by the shared reader, and is missing from one of its scans (a rename racing the scan,
    // here: renamed out of the watched names and back): the shared reader releases it.
    await writeFile(rotated(2), lines(range('b', 5)));
    await waitFor(() => fast.got.length === 10, 5_000, 'b* to fast');
    const idB = `${(await stat(rotated(2))).dev}:${(await stat(rotated(2))).ino}`;
    await rename(rotated(2), `${rotated(2)}.gz`);
    await waitFor(() => shared.tailer.passedOver(idB), 5_000, 'b released by the shared reader');

    // The catch-up reader now stands where the shared reader does (a* read, b never seen): it joins.
    slow.release();
    await waitFor(() => !slow.feed.ownReader, 5_000, 'slow joined');

    // b is seen again: the shared reader resumes it where it let it go (its end).
    await rename(`${rotated(2)}.gz`, rotated(2));
    await waitFor(() => !shared.tailer.passedOver(idB), 5_000, 'b seen again');
    await appendFile(log(), lines(range('c', 3)));
    const all = [...range('a', 5), ...range('b', 5), ...range('c', 3)];
    await waitFor(
      () => fast.got.length >= all.length && slow.got.length >= all.length - 1,
      5_000,
      'c*',
    ).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(fast.got).toEqual(all);
    expect([...slow.got].sort()).toEqual(all.slice(1).sort());
    await waitFor(() => !slow.feed.ownReader, 5_000, 'slow rejoined');
    // Let go to read b, not for falling behind: not counted as a detach.
    expect(slow.detaches).toBe(0);
  });
});
