import { describe, expect, it } from 'vitest';
import { LineSplitter, type SplitLine } from '../../../src/sources/line-splitter.js';

function split(chunks: string[], maxLineBytes = 1024): { lines: SplitLine[]; splitter: LineSplitter } {
  const splitter = new LineSplitter({ maxLineBytes, keepPrefixBytes: 8 });
  const lines: SplitLine[] = [];
  for (const chunk of chunks) splitter.push(Buffer.from(chunk), lines);
  return { lines, splitter };
}

const texts = (lines: SplitLine[]): string[] =>
  lines.map((l) => (l.kind === 'line' ? l.text : `<too_long ${l.byteLength}>`));

describe('LineSplitter', () => {
  it('returns complete lines with the offset just past each newline', () => {
    const { lines } = split(['ab\ncd\n']);
    expect(lines).toEqual([
      { kind: 'line', text: 'ab', endOffset: 3 },
      { kind: 'line', text: 'cd', endOffset: 6 },
    ]);
  });

  it('assembles a line written in several chunks', () => {
    const { lines } = split(['{"a":', '1,"b"', ':2}\nx']);
    expect(texts(lines)).toEqual(['{"a":1,"b":2}']);
  });

  it('holds a final line without newline and does not commit past it', () => {
    const { lines, splitter } = split(['one\ntw']);
    expect(texts(lines)).toEqual(['one']);
    expect(splitter.committedOffset).toBe(4);
    expect(splitter.pendingBytes).toBe(2);
  });

  it('hands over the held partial line on flushPartial', () => {
    const { splitter } = split(['one\ntwo']);
    const out: SplitLine[] = [];
    splitter.flushPartial(out);
    expect(out).toEqual([{ kind: 'line', text: 'two', endOffset: 7 }]);
    expect(splitter.committedOffset).toBe(7);
  });

  it('strips CR of CRLF line endings, also when CR and LF arrive in different chunks', () => {
    expect(texts(split(['a\r\nb\r', '\n']).lines)).toEqual(['a', 'b']);
  });

  it('rejects a line over the limit without buffering it and keeps following', () => {
    const long = 'x'.repeat(5000);
    const { lines } = split([long.slice(0, 2000), long.slice(2000), '\nok\n'], 1024);
    expect(lines[0]).toEqual({ kind: 'too_long', prefix: 'xxxxxxxx', byteLength: 5000, endOffset: 5001 });
    expect(lines[1]).toEqual({ kind: 'line', text: 'ok', endOffset: 5004 });
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('é€\n');
    const splitter = new LineSplitter({ maxLineBytes: 100 });
    const out: SplitLine[] = [];
    splitter.push(bytes.subarray(0, 1), out);
    splitter.push(bytes.subarray(1), out);
    expect(out).toEqual([{ kind: 'line', text: 'é€', endOffset: 6 }]);
  });

  it('starts counting offsets at the resume position', () => {
    const splitter = new LineSplitter({ maxLineBytes: 100 }, 1000);
    const out: SplitLine[] = [];
    splitter.push(Buffer.from('a\n'), out);
    expect(out[0]?.endOffset).toBe(1002);
  });

  it('forgets a held partial line on reset', () => {
    const { splitter } = split(['partial']);
    splitter.reset(0);
    const out: SplitLine[] = [];
    splitter.push(Buffer.from('new\n'), out);
    expect(texts(out)).toEqual(['new']);
  });
});
