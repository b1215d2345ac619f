/**
 * Race: a catch-up reader joins the shared reader while a file the shared reader released (a
 * rotation that hid it from one scan) is about to be seen again; the shared reader resumes it at
 * its end, and the joiner, which never read it, never gets its lines.
 */
import { appendFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import type { ParsedChunk } from '../../../src/sources/ingest.js';
import { InputFeed } from '../../../src/sources/input-feed.js';
import { SharedReader } from '../../../src/sources/shared-reader.js';
import { type LineChunk, Tailer } from '../../../src/sources/tailer.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { waitFor } from '../../helpers/daemon.js';

let dir: string;
const stops: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-shared-race-'));
  await mkdir(join(dir, 'logs'));
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await rm(dir, { recursive: true, force: true });
});

const log = () => join(dir, 'logs', 'app.log');
const sibling = (n: number) => join(dir, 'logs', `app-${n}.log`);
const lines = (ids: readonly string[]) => `${ids.join('\n')}\n`;
const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const settings = () => ({
  patterns: [log()],
  siblingPatterns: [join(dir, 'logs', 'app-*.log')],
  from: 'beginning' as const,
  pollIntervalMs: 50,
  maxLineBytes: 4096,
  partialLineTimeoutMs: 200,
  logger: silentLogger(),
});
const parse = (chunk: LineChunk): ParsedChunk => ({
  chunk,
  events: chunk.lines.map((l) => ({ id: l.kind === 'line' ? l.text : '' }) as unknown as CanonicalEvent),
  rejects: [],
  responses: chunk.lines.length,
  faulty: 0,
  skips: undefined,
});

class Instance {
  readonly got: string[] = [];
  /** Counted as fallen behind (`gax_input_detaches_total`). */
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
      tailer: (options) => new Tailer({ ...settings(), ...options }),
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

it('a catch-up reader that joins while the shared reader has a file released and not seen again yet still gets that file', async () => {
  await writeFile(log(), lines(range('a', 5)));
  const info = await stat(log());
  const idA = `${info.dev}:${info.ino}`;
  const shared = new SharedReader({
    tailer: { ...settings(), saved: new Map(), readChunkBytes: 64 * 1024 },
    parse,
    deadLetter: { write: async () => {} },
    detachAfterMs: 60_000,
    logger: silentLogger(),
  });
  stops.push(() => shared.stop());
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
  await writeFile(sibling(2), lines(range('b', 5)));
  await waitFor(() => fast.got.length === 10, 5_000, 'b* to fast');
  const idB = `${(await stat(sibling(2))).dev}:${(await stat(sibling(2))).ino}`;
  await rename(sibling(2), `${sibling(2)}.gz`);
  await waitFor(() => shared.tailer.passedOver(idB), 5_000, 'b released by the shared reader');

  // The catch-up reader now stands where the shared reader does (a* read, b never seen): it joins.
  slow.release();
  await waitFor(() => !slow.feed.ownReader, 5_000, 'slow joined');

  // b is seen again: the shared reader resumes it where it let it go (its end).
  await rename(`${sibling(2)}.gz`, sibling(2));
  await waitFor(() => !shared.tailer.passedOver(idB), 5_000, 'b seen again');
  await appendFile(log(), lines(range('c', 3)));
  const all = [...range('a', 5), ...range('b', 5), ...range('c', 3)];
  await waitFor(() => fast.got.length >= all.length && slow.got.length >= all.length - 1, 5_000, 'c*').catch(
    () => undefined,
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(fast.got).toEqual(all);
  expect([...slow.got].sort()).toEqual(all.slice(1).sort());
  await waitFor(() => !slow.feed.ownReader, 5_000, 'slow rejoined');
  // Let go to read b, not for falling behind: not counted as a detach.
  expect(slow.detaches).toBe(0);
});
