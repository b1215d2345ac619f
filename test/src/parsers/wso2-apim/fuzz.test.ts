import { beforeAll, describe, expect, it } from 'vitest';
import { type ParseResult, parseLine } from '../../../../src/parsers/wso2-apim/parse.js';
import { eventJson } from '../../../../src/parsers/wso2-apim/serialise.js';
import { compileEventValidator } from '../../../helpers/event-validator.js';
import { fuzzCorpus, fuzzSeed } from '../../../helpers/fuzz-lines.js';
import { canonicalJson, splitLines } from '../../../helpers/fuzz-oracle.js';

// The fuzz corpus of test/integration/fuzz.test.ts, line by line through the pure parser. The seed
// is printed; GAX_FUZZ_SEED=<seed> replays it.
const SEED = fuzzSeed();
const MAX_LINE_BYTES = 64 * 1024;

const REJECTS = new Set([
  'line_too_long',
  'truncated_json',
  'invalid_json',
  'unknown_metric',
  'not_an_object',
  'missing_field',
  'invalid_field',
]);
const SKIPS = new Set(['blank', 'not_metric']);

interface Parsed {
  readonly mutation: string;
  readonly line: string;
  readonly result: ParseResult | { readonly kind: 'threw'; readonly error: unknown };
}

let parsed: Parsed[] = [];
beforeAll(() => {
  console.log(`parser fuzz seed ${SEED} (replay with GAX_FUZZ_SEED=${SEED})`);
  parsed = [];
  for (const entry of fuzzCorpus({ seed: SEED, count: 100_000, maxLineBytes: MAX_LINE_BYTES })) {
    // Over-long lines go to the parser too: the tailer would stop them, `parseLine` must not care.
    for (const { text: line } of splitLines(entry.bytes, MAX_LINE_BYTES)) {
      let result: Parsed['result'];
      try {
        result = parseLine(line, { maxLineBytes: MAX_LINE_BYTES });
      } catch (error) {
        result = { kind: 'threw', error };
      }
      parsed.push({ mutation: entry.mutation, line, result });
    }
  }
}, 120_000);

/** At most a few failures, each with what is needed to find it again. */
function failures(check: (p: Parsed) => string | undefined): string[] {
  const out: string[] = [];
  for (const p of parsed) {
    const problem = check(p);
    if (problem !== undefined && out.length < 5)
      out.push(`${problem} [${p.mutation}] ${JSON.stringify(p.line.slice(0, 300))}`);
  }
  return out;
}

describe(`parseLine on 100,000 fuzzed lines (seed ${SEED}; replay with GAX_FUZZ_SEED=${SEED})`, () => {
  it('never throws and gives one documented result per line', () => {
    expect(parsed.length).toBeGreaterThanOrEqual(100_000);
    const bad = failures(({ result }) => {
      switch (result.kind) {
        case 'threw':
          return `threw ${String(result.error)}`;
        case 'event':
          return result.event.eventType === 'response' || result.event.eventType === 'faulty'
            ? undefined
            : `event type ${String(result.event.eventType)}`;
        case 'skip':
          return SKIPS.has(result.reason) ? undefined : `skip reason ${result.reason}`;
        case 'reject':
          return REJECTS.has(result.reason) && result.detail.length > 0 && result.detail.length <= 201
            ? undefined
            : `reject ${result.reason} with detail ${JSON.stringify(result.detail)}`;
        default:
          return `result ${JSON.stringify(result)}`;
      }
    });
    expect(bad).toEqual([]);
  });

  // Compared as JSON values (keys sorted; `-0` is `0`, as for JSON.stringify). Plugins write
  // events with JSON.stringify, so that must work too.
  it('writes every event as one line of JSON whose value is the event', () => {
    const bad = failures(({ result }) => {
      if (result.kind !== 'event') return undefined;
      try {
        JSON.stringify(result.event);
        const text = eventJson(result);
        if (text.includes('\n')) return 'newline in the JSON';
        return canonicalJson(JSON.parse(text)) === canonicalJson(result.event)
          ? undefined
          : `eventJson ${text}`;
      } catch (err) {
        return `cannot serialise the event: ${String(err)}`;
      }
    });
    expect(bad).toEqual([]);
  });

  it('gives only events that pass the canonical event schema', () => {
    const validate = compileEventValidator();
    const bad = failures(({ result }) => {
      if (result.kind !== 'event' || validate(result.event)) return undefined;
      return `schema: ${JSON.stringify(validate.errors?.slice(0, 2))}`;
    });
    expect(bad).toEqual([]);
  });

  it('makes every kind of result somewhere in the corpus', () => {
    const seen = new Set(parsed.map(({ result }) => ('reason' in result ? result.reason : result.kind)));
    for (const kind of ['event', ...SKIPS, ...REJECTS].filter((k) => k !== 'line_too_long'))
      expect(seen, kind).toContain(kind);
  });
});
