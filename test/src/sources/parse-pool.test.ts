/**
 * The parse pool (src/sources/parse-pool.ts) runs the built worker (dist/, built by the test
 * set-up): what a worker parses equals what the main thread's chunkParser makes of the same
 * lines, fuzzed lines included; a worker that dies fails only the chunks it held and is replaced.
 */
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { formatOf } from '../../../src/parsers/index.js';
import { eventOrigin } from '../../../src/parsers/origin.js';
import { chunkParser } from '../../../src/sources/ingest.js';
import { LineSplitter, type SplitLine } from '../../../src/sources/line-splitter.js';
import { ParsePool, resolveWorkers } from '../../../src/sources/parse-pool.js';
import type { LineChunk } from '../../../src/sources/tailer.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { fuzzCorpus, fuzzSeed } from '../../helpers/fuzz-lines.js';

const MAX_LINE = 64 * 1024;
const input = { format: 'wso2-apim', host: 'gw-1', maxLineBytes: MAX_LINE } as const;
const pools: ParsePool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

/** Failures the pools reported through `onFailure`. */
let failed = 0;

function pool(size: number, workerUrl?: URL): ParsePool {
  const p = new ParsePool({
    size,
    logger: silentLogger(),
    onFailure: () => failed++,
    ...(workerUrl === undefined ? {} : { workerUrl }),
  });
  pools.push(p);
  return p;
}

/** The corpus as chunks of `per` physical lines, split as the tailer splits them. */
function chunks(seed: number, count: number, per: number): LineChunk[] {
  const splitter = new LineSplitter({ maxLineBytes: MAX_LINE });
  const lines: SplitLine[] = [];
  for (const line of fuzzCorpus({ seed, count, maxLineBytes: MAX_LINE }))
    splitter.push(Buffer.concat([line.bytes, Buffer.from('\n')]), lines);
  const out: LineChunk[] = [];
  for (let i = 0; i < lines.length; i += per) {
    const part = lines.slice(i, i + per);
    const endOffset = (part[part.length - 1] as SplitLine).endOffset;
    out.push({ sourceId: '1:2', path: '/logs/apim_metrics.log', lines: part, endOffset, bytes: 0 });
  }
  return out;
}

const mainParse = chunkParser({
  parser: formatOf('wso2-apim').parser,
  origin: eventOrigin('wso2-apim', 'gw-1'),
  maxLineBytes: MAX_LINE,
});

describe('ParsePool', () => {
  it('parses fuzzed chunks exactly as the main thread does, results back by request', async () => {
    const seed = fuzzSeed();
    console.log(`parse-pool fuzz seed ${seed} (replay with GAX_FUZZ_SEED=${seed})`);
    const all = chunks(seed, 3_000, 97);
    const p = pool(2);
    const parsed = await Promise.all(all.map((chunk) => p.parse(input, chunk)));
    let events = 0;
    let rejects = 0;
    for (const [i, chunk] of all.entries()) {
      const { chunk: _, ...expected } = mainParse(chunk);
      expect(parsed[i], `chunk ${i}`).toEqual(expected);
      events += expected.events.length;
      rejects += expected.rejects.length;
    }
    expect(events).toBeGreaterThan(500);
    expect(rejects).toBeGreaterThan(100);
    expect(p.inFlight).toBe(0);
    expect(p.failures).toBe(0);
  });

  it('a worker that dies fails the chunks it held, is counted and replaced; the next chunks parse', async () => {
    // The real worker, exiting instead on a chunk whose first line is `die`.
    const real = new URL('../../../dist/src/sources/parse-worker.js', import.meta.url);
    const crashing = join(tmpdir(), `gax-crashing-worker-${process.pid}.mjs`);
    await writeFile(
      crashing,
      `import { parentPort } from 'node:worker_threads';\n` +
        `const on = parentPort.on.bind(parentPort);\n` +
        `parentPort.on = (name, f) => on(name, (m) => (m.chunk.lines[0]?.text === 'die' ? process.exit(3) : f(m)));\n` +
        `await import(${JSON.stringify(real.href)});\n`,
    );
    onTestFinished(() => rm(crashing, { force: true }));
    const p = pool(1, pathToFileURL(crashing));
    const [good] = chunks(1, 20, 20);
    const die: LineChunk = { ...(good as LineChunk), lines: [{ kind: 'line', text: 'die', endOffset: 4 }] };
    const before = p.parse(input, good as LineChunk);
    await expect(before).resolves.toEqual(expect.objectContaining({ rejects: expect.any(Array) }));
    const held = p.parse(input, die);
    await expect(held).rejects.toThrow(/exited with code 3/);
    expect(p.failures).toBe(1);
    expect(failed).toBe(1);
    const { chunk: _, ...expected } = mainParse(good as LineChunk);
    await expect(p.parse(input, good as LineChunk)).resolves.toEqual(expected);
  });

  it('pipeline.workers auto: none on one core, one per core beyond the first, at most 8', () => {
    expect([1, 2, 4, 16].map((cores) => resolveWorkers('auto', cores))).toEqual([0, 1, 3, 8]);
    expect(resolveWorkers(0, 8)).toBe(0);
    expect(resolveWorkers(3, 1)).toBe(3);
  });
});
