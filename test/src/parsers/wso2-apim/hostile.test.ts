import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../../../src/parsers/wso2-apim/fields.js';
import { type ParseResult, parseLine } from '../../../../src/parsers/wso2-apim/parse.js';
import { eventJson } from '../../../../src/parsers/wso2-apim/serialise.js';

// Regressions found by the fuzz tests (test/src/parsers/wso2-apim/fuzz.test.ts and
// test/integration/fuzz.test.ts), each with the smallest input that showed it.

const PREFIX = '09:00:00,012 [-] [PassThroughMessageProcessor-1]  INFO ELKCounterMetric apimMetrics: ';
const HEAD = '"correlationId":"c","requestTimestamp":"2025-03-04T09:00:00.000Z"';
const line = (members: string) => `${PREFIX}apim:response, properties :{${HEAD},${members}}`;

/** `levels` nested arrays: `[[…]]`. */
const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

function event(result: ParseResult): Extract<ParseResult, { kind: 'event' }> {
  if (result.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(result)}`);
  return result;
}

describe('parseLine on values nested too deep to serialise', () => {
  // Before: accepted, and JSON.stringify of the event overflowed the stack, so the file plugin
  // retried that batch forever (nothing after the line was ever delivered).
  it('rejects a record holding 10,000 nested arrays, which JSON.stringify cannot write', () => {
    expect(() => JSON.stringify(JSON.parse(arrays(10_000)))).toThrow(RangeError);
    expect(parseLine(line(`"x":${arrays(10_000)}`))).toEqual({
      kind: 'reject',
      reason: 'invalid_field',
      detail: `x: nested deeper than ${MAX_DEPTH} levels`,
    });
  });

  // The record is level 1; the root's members level 2, those of properties level 3.
  it.each([
    ['an unknown root key', (n: number) => `"x":${arrays(n - 1)}`, 'x'],
    ['an unknown key in properties', (n: number) => `"properties":{"x":${arrays(n - 2)}}`, 'properties.x'],
    [
      'properties.mcpAnalytics (a map kept as sent)',
      (n: number) => `"properties":{"mcpAnalytics":{"a":${arrays(n - 3)}}}`,
      'properties.mcpAnalytics',
    ],
    [
      'properties.requestHeaders next to coerced fields',
      (n: number) =>
        `"properties":{"responseSize":"1","requestHeaders":${'{"a":'.repeat(n - 2)}1${'}'.repeat(n - 2)}}`,
      'properties.requestHeaders',
    ],
    ['a root key next to coerced fields', (n: number) => `"responseLatency":"5","x":${arrays(n - 1)}`, 'x'],
  ])('accepts %s nested to the limit and rejects one level more', (_, members, field) => {
    const ok = event(parseLine(line(members(MAX_DEPTH))));
    expect(JSON.parse(eventJson(ok))).toEqual(ok.event);
    expect(parseLine(line(members(MAX_DEPTH + 1)))).toEqual({
      kind: 'reject',
      reason: 'invalid_field',
      detail: `${field}: nested deeper than ${MAX_DEPTH} levels`,
    });
  });
});

describe('parseLine on numeric-looking strings', () => {
  // Before: the number pattern backtracked quadratically; 64 Ki digits took about 20 s, a line of
  // 1 MiB over an hour, stalling the daemon's reader. This is a hang check, not a benchmark: the
  // linear pattern takes milliseconds, the old one would outlive the test's timeout by hours.
  it('refuses a 1 MiB digit string ending in a letter in a number field', () => {
    const result = parseLine(line(`"responseLatency":"${'1'.repeat(1_000_000)}x"`), {
      maxLineBytes: 2_000_000,
    });
    expect(result).toMatchObject({ kind: 'reject', reason: 'invalid_field' });
    expect(result.kind === 'reject' && result.detail).toMatch(
      /^responseLatency: expected a number, got "1{39}…$/,
    );
  }, 20_000);

  it.each([
    ['12', 12],
    [' 1.5 ', 1.5],
    ['1.', 1],
    ['.5', 0.5],
    ['-2e3', -2000],
    ['+7', 7],
  ])('still converts %j', (text, value) => {
    expect(event(parseLine(line(`"responseLatency":${JSON.stringify(text)}`))).event.responseLatency).toBe(
      value,
    );
  });

  it.each(['', '.', '1e', 'e1', '1..5', '0x1F', 'Infinity', '1 2'])('still refuses %j', (text) => {
    expect(parseLine(line(`"responseLatency":${JSON.stringify(text)}`))).toMatchObject({
      kind: 'reject',
      reason: 'invalid_field',
    });
  });
});
