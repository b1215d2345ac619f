/** Record- and text-level mutations of a valid line for the fuzz corpus (`fuzz-lines.ts`). */
import type { Random } from '../../src/parsers/wso2-apim/sim/random.js';
import { insertAt, mutateBytes, pick, randomText } from './fuzz-bytes.js';
import { HOSTILE_VALUES, KEYS, PROPERTY_KEYS } from './fuzz-values.js';

/** What the mutations need to know of the corpus. */
export interface SizeOptions {
  readonly maxLineBytes: number;
}

/** Parses the record, lets `change` edit it, writes it back; raw JSON goes in through `raw(text)`. */
export function withRecord(
  line: Buffer,
  r: Random,
  change: (record: Record<string, unknown>, raw: (text: string) => string) => void,
): Buffer {
  const text = line.toString('utf8');
  const start = jsonStart(text);
  let record: unknown;
  try {
    record = JSON.parse(text.slice(start));
  } catch {
    return mutateBytes(line, r);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return mutateBytes(line, r);
  const raws: string[] = [];
  const raw = (json: string): string => {
    raws.push(json);
    return `\u0001raw${raws.length - 1}\u0001`;
  };
  change(record as Record<string, unknown>, raw);
  const json = JSON.stringify(record).replace(
    /"\\u0001raw(\d+)\\u0001"/g,
    (_, i: string) => raws[Number(i)] ?? '',
  );
  return Buffer.from(text.slice(0, start) + json, 'utf8');
}

/** Gives a known or present field (root, `properties` or deeper) a hostile value, or drops it. */
export function mutateField(record: Record<string, unknown>, raw: (text: string) => string, r: Random): void {
  const target = pickTarget(record, r);
  const keys = target === record ? KEYS : PROPERTY_KEYS;
  const own = Object.keys(target);
  const key = r.chance(0.7) && own.length > 0 ? pick(r, own) : pick(r, keys);
  const action = r.int(10);
  if (action === 0) delete target[key];
  else target[key] = raw(hostileValue(r));
}

function pickTarget(record: Record<string, unknown>, r: Random): Record<string, unknown> {
  const properties = record.properties;
  if (!isRecord(properties) || r.chance(0.6)) return record;
  for (const inner of ['aiMetadata', 'aiTokenUsage', 'mcpAnalytics', 'requestHeaders']) {
    const value = properties[inner];
    if (isRecord(value) && r.chance(0.5)) return value;
  }
  return properties;
}

/** One JSON value of a hostile kind, as text. */
function hostileValue(r: Random): string {
  switch (r.int(10)) {
    case 0: // backtracking bait for numeric checks
      return JSON.stringify(
        `${'1'.repeat(1 + r.int(r.chance(0.1) ? 20_000 : 2_000))}${pick(r, ['x', '.', 'e', ' x'])}`,
      );
    case 1:
      return JSON.stringify(' '.repeat(r.int(2_000)) + pick(r, ['1', 'x', 'true', '']));
    case 2:
      return String(r.chance(0.5) ? r.u32() * 2 ** (r.int(80) - 20) : -r.u32() / (1 + r.int(1000)));
    case 3:
      return JSON.stringify(randomText(r).toString('utf8'));
    default:
      return pick(r, HOSTILE_VALUES);
  }
}

/** Adds a member: prototype names, escaped spellings, a duplicate that loses or wins. */
export function insertKey(line: Buffer, r: Random): Buffer {
  const text = line.toString('utf8');
  const start = jsonStart(text);
  const inner = text.indexOf('"properties":{', start);
  const key = pick(r, [
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'request\\u0054imestamp',
    'correlation\\u0049d',
    'eventType',
    ...KEYS,
  ]);
  const member = `"${key}":${r.chance(0.3) ? pick(r, ['{}', '{"correlationId":"evil"}', '[]', 'null']) : hostileValue(r)}`;
  const open = inner !== -1 && r.chance(0.3) ? inner + '"properties":{'.length : start + 1;
  if (text.charCodeAt(start) !== 123) return insertAt(line, r.int(line.length + 1), Buffer.from(member));
  // Before the first member (an earlier duplicate loses) or after the last (a later one wins).
  const at = r.chance(0.5) ? open : text.lastIndexOf('}');
  const piece = at === open ? `${member},` : `,${member}`;
  return Buffer.from(text.slice(0, at) + piece + text.slice(at), 'utf8');
}

/** Other metric names, separators and spacing, another prefix, or something else after it. */
export function mutateEnvelope(line: Buffer, r: Random): Buffer {
  const text = line.toString('utf8');
  const marker = text.indexOf('apimMetrics:');
  const start = jsonStart(text);
  const json = text.slice(start);
  const head = pick(r, [
    'apimMetrics: apim:foo, properties :',
    'apimMetrics: apim:Response, properties :',
    'apimMetrics: APIM:RESPONSE, properties :',
    'apimMetrics: apim:respons',
    'apimMetrics: apim:response:, properties :',
    'apimMetrics: apim:faulty,properties :',
    'apimMetrics:apim:response, properties :',
    'apimMetrics:  apim:response ,  properties  :  ',
    'apimMetrics:\tapim:faulty,\tproperties\t:\t',
    'apimMetrics: apim:response properties :',
    'apimMetrics: apim:response, props :',
    'apimMetrics: apim:response, properties',
    'apimMetrics: apim:response, properties: ',
    'apimMetrics: apim:response, properties : ',
    'apimMetrics: apimMetrics: apim:response, properties :',
    'apimMetrics: , properties :',
    'apimMetrics: apim:response, , properties :',
    'apimMetrics: apim:response, properties ::',
    'apimMetrics:',
  ]);
  const prefix = r.chance(0.8) ? text.slice(0, Math.max(0, marker)) : randomText(r).toString('utf8');
  const tail = r.chance(0.85)
    ? json
    : pick(r, ['', ' ', '{', 'null', '[]', '"x"', '42', '{}', '{} {}', '{}x']);
  return Buffer.from(prefix + head + tail, 'utf8');
}

/** 64 to 30,000 levels of `[` or `{"a":`, closed or not: as the record, in it, or in `properties`. */
export function deepNesting(line: Buffer, r: Random, o: SizeOptions): Buffer {
  const text = line.toString('utf8');
  const start = jsonStart(text);
  const depth = pick(r, [64, 101, 257, 1000, 3000, 5000, 10_000, 20_000, 30_000]);
  const budget = Math.max(1, Math.floor((o.maxLineBytes - text.length - 32) / 2));
  const n = r.chance(0.8) ? Math.min(depth, budget) : depth;
  const closed = r.chance(0.85);
  const arrays = r.chance(0.6);
  const value = arrays
    ? `${'['.repeat(n)}${closed ? ']'.repeat(n) : ''}`
    : `${'{"a":'.repeat(Math.ceil(n / 3))}1${closed ? '}'.repeat(Math.ceil(n / 3)) : ''}`;
  switch (r.int(4)) {
    case 0:
      return Buffer.from(text.slice(0, start) + value, 'utf8'); // instead of the record
    case 1: {
      const at = text.indexOf('"properties":{', start);
      if (at !== -1) {
        const open = at + '"properties":{'.length;
        const key = pick(r, ['mcpAnalytics', 'requestHeaders', 'custom', 'aiMetadata']);
        return Buffer.from(`${text.slice(0, open)}"${key}":${value},${text.slice(open)}`, 'utf8');
      }
      return Buffer.from(`${text.slice(0, start + 1)}"deep":${value},${text.slice(start + 1)}`, 'utf8');
    }
    default:
      return Buffer.from(`${text.slice(0, start + 1)}"deep":${value},${text.slice(start + 1)}`, 'utf8');
  }
}

/** A string value of 1–60 KB inside the record (a known or an unknown field). */
export function bigString(line: Buffer, r: Random, o: SizeOptions): Buffer {
  const length = 1_000 + r.int(Math.max(1, o.maxLineBytes - 4_000));
  const unit = pick(r, ['A', 'é', '\\u0000', '\\\\', '\\"', '"requestTimestamp":', ' ', '7']);
  const value = `"${unit.repeat(Math.ceil(length / Buffer.byteLength(unit)))}"`;
  return withRecord(line, r, (record, raw) => {
    const target = pickTarget(record, r);
    target[pick(r, [...KEYS, 'custom'])] = raw(value);
  });
}

/** A line of exactly some length around the limit (bytes), padded in an unknown string field. */
export function huge(line: Buffer, r: Random, o: SizeOptions): Buffer {
  const max = o.maxLineBytes;
  const target = pick(r, [max - 1, max, max, max + 1, max + 2, max + 1 + r.int(2 * max)]);
  const text = line.toString('utf8');
  const start = jsonStart(text);
  const withCr = r.chance(0.2);
  const fixed = Buffer.byteLength(text) + '"pad":"",'.length + (withCr ? 1 : 0);
  const room = Math.max(0, target - fixed);
  const multibyte = r.chance(0.3);
  const pad = multibyte
    ? `${'é'.repeat(Math.floor(room / 2))}${room % 2 === 1 ? 'A' : ''}`
    : 'A'.repeat(room);
  const padded = `${text.slice(0, start + 1)}"pad":"${pad}",${text.slice(start + 1)}${withCr ? '\r' : ''}`;
  return Buffer.from(padded, 'utf8');
}

/** Where the record's JSON starts: the first `{` after the metric name, else after the marker. */
function jsonStart(text: string): number {
  const marker = text.indexOf('apimMetrics:');
  const brace = text.indexOf('{', Math.max(0, marker));
  return brace === -1 ? text.length : brace;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
