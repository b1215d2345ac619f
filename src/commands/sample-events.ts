import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Config } from '../config/schema.js';
import { formatOf, formats } from '../parsers/index.js';
import type { CanonicalEvent } from '../schema/event.js';

/**
 * The canonical events of a sample log (`gax check-config --sample`), parsed by the format of the
 * configured inputs (the first input's; src/parsers/index.ts); lines that are no event are skipped.
 */
export async function sampleEvents(config: Config, path: string): Promise<CanonicalEvent[]> {
  const format = formatOf(config.inputs[0]?.format ?? formats[0].name);
  const events: CanonicalEvent[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const parsed = format.parser.parseLine(line);
    if (parsed.kind === 'event') events.push(parsed.event);
  }
  return events;
}
