/**
 * A deterministic corpus of hostile `apim_metrics.log` lines for the fuzz tests: valid generated
 * lines, the same lines mutated in many ways, and pure random ones. Lines are bytes (`Buffer`), so
 * invalid UTF-8 survives; a mutation may put a `\n` inside, which makes two physical lines (the
 * oracle in `fuzz-oracle.ts` splits the bytes as the tailer does). Same seed, same bytes.
 */
import { randomInt } from 'node:crypto';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { createRandom, type Random } from '../../src/parsers/wso2-apim/sim/random.js';
import {
  cutPoint,
  insertAt,
  mutateBytes,
  mutateStructure,
  pick,
  randomBytes,
  randomText,
} from './fuzz-bytes.js';
import {
  bigString,
  deepNesting,
  huge,
  insertKey,
  mutateEnvelope,
  mutateField,
  withRecord,
} from './fuzz-mutations.js';
import { UNICODE } from './fuzz-values.js';

export interface FuzzOptions {
  readonly seed: number;
  /** Corpus entries; mutations that add a `\n` make a few more physical lines. */
  readonly count: number;
  /** The daemon's `maxLineBytes`: huge lines are made around it. */
  readonly maxLineBytes: number;
}

export interface FuzzLine {
  /** The line without its `\n`. */
  readonly bytes: Buffer;
  /** What was done to it, for failure messages. */
  readonly mutation: string;
}

/** `GAX_FUZZ_SEED` when set (to reproduce a failure), else a fresh random seed. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.GAX_FUZZ_SEED;
  if (text === undefined || text.trim() === '') return randomInt(2 ** 31);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`GAX_FUZZ_SEED must be an integer >= 0: ${text}`);
  return seed;
}

type Mutator = (line: Buffer, r: Random, o: FuzzOptions) => Buffer;

/** Whole-line makers and mutators of a valid line, with their weights. */
const KINDS: readonly (readonly [name: string, weight: number])[] = [
  ['valid', 20],
  ['field', 16],
  ['keys', 6],
  ['bytes', 10],
  ['truncate', 9],
  ['structure', 8],
  ['envelope', 5],
  ['unicode', 3],
  ['join', 2],
  ['stacked', 6],
  ['deep', 0.6],
  ['bigString', 0.25],
  ['huge', 0.15],
  ['blank', 3],
  ['garbage', 5],
  ['text', 3],
];
const TOTAL = KINDS.reduce((sum, [, w]) => sum + w, 0);

/** The corpus: `count` lines, the same for the same options. */
export function fuzzCorpus(options: FuzzOptions): FuzzLine[] {
  const r = createRandom(options.seed);
  const generator = createGenerator({ seed: options.seed, variants: true, aiRatio: 0.2, faultyRatio: 0.2 });
  const valid = (): Buffer => Buffer.from(generator.next(), 'utf8');
  const out: FuzzLine[] = [];
  for (let i = 0; i < options.count; i++) {
    const kind = pickKind(r);
    out.push({ bytes: make(kind, valid, r, options), mutation: kind });
  }
  return out;
}

function pickKind(r: Random): string {
  let x = r.float() * TOTAL;
  for (const [name, weight] of KINDS) {
    x -= weight;
    if (x < 0) return name;
  }
  return 'valid';
}

const STACKABLE = ['field', 'keys', 'unicode', 'structure', 'bytes', 'truncate'] as const;

function make(kind: string, valid: () => Buffer, r: Random, o: FuzzOptions): Buffer {
  switch (kind) {
    case 'valid':
      return valid();
    case 'blank':
      return Buffer.from(
        pick(r, ['', ' ', '\t', '  \t ', '\r', '\x0b\x0c', '\u00a0', '\ufeff', ' \r']),
        'utf8',
      );
    case 'garbage':
      return randomBytes(r, r.chance(0.05) ? 1 + r.int(20_000) : r.int(600));
    case 'text':
      return randomText(r);
    case 'join':
      return join(valid(), valid(), r);
    case 'stacked': {
      let line = valid();
      for (let n = 2 + r.int(2); n > 0; n--) line = (MUTATORS[pick(r, STACKABLE)] as Mutator)(line, r, o);
      return line;
    }
    default: {
      const mutate = MUTATORS[kind];
      if (mutate === undefined) throw new Error(`unknown fuzz kind ${kind}`);
      return mutate(valid(), r, o);
    }
  }
}

const MUTATORS: Record<string, Mutator> = {
  field: (line, r) => withRecord(line, r, (record, raw) => mutateField(record, raw, r)),
  keys: (line, r) => insertKey(line, r),
  bytes: (line, r) => mutateBytes(line, r),
  truncate: (line, r) => line.subarray(0, cutPoint(line, r)),
  structure: (line, r) => mutateStructure(line, r),
  envelope: (line, r) => mutateEnvelope(line, r),
  unicode: (line, r) => insertAt(line, r.int(line.length + 1), Buffer.from(pick(r, UNICODE), 'utf8')),
  deep: (line, r, o) => deepNesting(line, r, o),
  bigString: (line, r, o) => bigString(line, r, o),
  huge: (line, r, o) => huge(line, r, o),
};

function join(a: Buffer, b: Buffer, r: Random): Buffer {
  const glue = pick(r, ['', '\r', ' ', '\u0000']);
  return Buffer.concat([a, Buffer.from(glue), r.chance(0.5) ? b : a]);
}
