import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/parsers/wso2-apim/sim/random.js';
import { LineSplitter, type SplitLine } from '../../../src/sources/line-splitter.js';
import { fuzzCorpus, fuzzSeed } from '../../helpers/fuzz-lines.js';
import { splitLines } from '../../helpers/fuzz-oracle.js';

const SEED = fuzzSeed();
const MAX_LINE_BYTES = 4096;

describe(`LineSplitter on the fuzz corpus (seed ${SEED}; replay with GAX_FUZZ_SEED=${SEED})`, () => {
  it('splits bytes fed in random pieces through a reused buffer exactly as the whole', () => {
    const corpus = fuzzCorpus({ seed: SEED, count: 20_000, maxLineBytes: MAX_LINE_BYTES });
    const data = Buffer.concat(corpus.flatMap((l) => [l.bytes, Buffer.from('\n')]).slice(0, -1));
    const expected = splitLines(data, MAX_LINE_BYTES).map(
      (l): SplitLine =>
        l.byteLength > MAX_LINE_BYTES
          ? { kind: 'too_long', prefix: l.prefix, byteLength: l.byteLength, endOffset: l.endOffset }
          : { kind: 'line', text: l.text, endOffset: l.endOffset },
    );

    const r = createRandom(SEED);
    const splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES });
    const buffer = Buffer.alloc(64 * 1024); // as the tailer: one read buffer, overwritten
    const lines: SplitLine[] = [];
    for (let at = 0; at < data.length; ) {
      const size = Math.min(Math.ceil(2 ** (r.float() * 16)), data.length - at);
      data.copy(buffer, 0, at, at + size);
      splitter.push(buffer.subarray(0, size), lines);
      buffer.fill(0xee);
      at += size;
    }
    splitter.flushPartial(lines);

    expect(lines.length).toBe(expected.length);
    const first = lines.findIndex((line, i) => JSON.stringify(line) !== JSON.stringify(expected[i]));
    expect(first === -1 ? undefined : [lines[first], expected[first]]).toBeUndefined();
    expect(splitter.committedOffset).toBe(data.length);
  });
});
