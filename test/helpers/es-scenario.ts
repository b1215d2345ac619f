import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import { createGenerator, type GeneratorOptions } from '../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../src/schema/event.js';

/** Helpers for tests that index into a real Elasticsearch: known logs, counts, queries. */

export interface KnownLog {
  readonly lines: string[];
  readonly events: CanonicalEvent[];
  readonly response: number;
  readonly faulty: number;
}

/** `count` generated lines and the canonical events they parse to (the expected documents). */
export function knownLog(count: number, options: GeneratorOptions = {}): KnownLog {
  const generator = createGenerator({ seed: 5, aiRatio: 0.1, variants: true, ...options });
  const lines: string[] = [];
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < count; i++) {
    const line = generator.next();
    lines.push(line);
    const parsed = parseLine(line);
    if (parsed.kind === 'event') events.push(parsed.event);
  }
  const faulty = events.filter((e) => e.eventType === 'faulty').length;
  return { lines, events, faulty, response: events.length - faulty };
}

export async function writeLog(
  dir: string,
  lines: readonly string[],
  name = 'apim_metrics.log',
): Promise<string> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  const path = join(dir, 'logs', name);
  await writeFile(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return path;
}

/** A tiny JSON client for assertions (not the code under test). */
export async function es<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok && response.status !== 404)
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Document count of `index` (a pattern is fine) after a refresh; 0 when it does not exist.
 * A just-created index answers 503 (no shard available) until its shards start: retried.
 */
export async function countDocs(url: string, index: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const refresh = await fetch(`${url}/${index}/_refresh?ignore_unavailable=true&allow_no_indices=true`, {
      method: 'POST',
    });
    const response = await fetch(`${url}/${index}/_count?ignore_unavailable=true&allow_no_indices=true`);
    const text = await response.text();
    if (response.ok && refresh.ok) return (JSON.parse(text) as { count: number }).count;
    if ((response.status !== 503 && refresh.status !== 503) || attempt >= 50) {
      throw new Error(`count ${index}: ${response.status} ${text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
