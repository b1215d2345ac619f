import { describe, expect, it } from 'vitest';
import { fuzzCorpus, fuzzSeed } from './fuzz-lines.js';
import { expectedOutcome, splitLines } from './fuzz-oracle.js';

describe('fuzz corpus', () => {
  it('gives the same bytes for the same seed and other bytes for another', () => {
    const a = fuzzCorpus({ seed: 7, count: 2_000, maxLineBytes: 4096 });
    const b = fuzzCorpus({ seed: 7, count: 2_000, maxLineBytes: 4096 });
    const c = fuzzCorpus({ seed: 8, count: 2_000, maxLineBytes: 4096 });
    expect(Buffer.concat(a.map((l) => l.bytes)).equals(Buffer.concat(b.map((l) => l.bytes)))).toBe(true);
    expect(Buffer.concat(a.map((l) => l.bytes)).equals(Buffer.concat(c.map((l) => l.bytes)))).toBe(false);
  });

  it('takes the seed from GAX_FUZZ_SEED and refuses a malformed one', () => {
    expect(fuzzSeed({ GAX_FUZZ_SEED: '42' })).toBe(42);
    expect(Number.isSafeInteger(fuzzSeed({}))).toBe(true);
    expect(() => fuzzSeed({ GAX_FUZZ_SEED: 'x' })).toThrow(/GAX_FUZZ_SEED/);
  });
});

describe('fuzz oracle', () => {
  it('splits as the tailer: CR removed, the limit counts it, a last line without newline counts', () => {
    const lines = splitLines(Buffer.from('a\r\n\n12345\r\n\xff\x80x\n123456\nlast', 'latin1'), 5);
    expect(lines.map((l) => [l.text, l.byteLength, l.endOffset])).toEqual([
      ['a', 2, 3],
      ['', 0, 4],
      ['12345', 6, 11],
      ['\ufffd\ufffdx', 3, 15],
      ['123456', 6, 22],
      ['last', 4, 26],
    ]);
  });

  it('counts an over-long line as line_too_long and the rest by what the parser says', () => {
    const expected = expectedOutcome([Buffer.from(`${'x'.repeat(2000)}\n\nnot a metric\n`)], 1024);
    expect(expected).toMatchObject({
      lines: 3,
      events: [],
      rejects: { line_too_long: 1 },
      skips: { blank: 1, not_metric: 1 },
    });
  });
});
