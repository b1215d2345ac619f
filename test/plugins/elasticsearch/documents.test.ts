/**
 * The indexed documents, byte for byte, for a realistic mixed input: every shape the generator
 * writes (4.x response and faulty, 4.1/4.2 variants, APK, AI/egress), parsed and stamped as the
 * reader does, in every index mode, against the plain definition of a bulk line
 * (`JSON.stringify` of the action and of `{ '@timestamp', ...event }`) that mapping.ts must equal.
 */
import { describe, expect, it } from 'vitest';
import type { ElasticsearchConfig } from '../../../plugins/elasticsearch/config.js';
import {
  bulkLines,
  documentId,
  documentJson,
  targetIndex,
  toBulkChunks,
} from '../../../plugins/elasticsearch/mapping.js';
import { formatOf } from '../../../src/parsers/index.js';
import { eventOrigin, stampOrigin } from '../../../src/parsers/origin.js';
import { createGenerator } from '../../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

type IndexConfig = Pick<ElasticsearchConfig, 'indexPrefix' | 'indexMode'>;

/** The definition: what Elasticsearch must receive for one event. */
function reference(event: CanonicalEvent, config: IndexConfig): string {
  const action = { create: { _index: targetIndex(event, config), _id: documentId(event) } };
  return `${JSON.stringify(action)}\n${JSON.stringify({ '@timestamp': event.requestTimestamp, ...event })}\n`;
}

function generatedEvents(count: number): CanonicalEvent[] {
  const gen = createGenerator({ seed: 7, variants: true, faultyRatio: 0.2, aiRatio: 0.2 });
  const { parser } = formatOf('wso2-apim');
  const origin = eventOrigin('wso2-apim', 'gw-node-1');
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < count; i++) {
    const parsed = parser.parseLine(gen.next());
    if (parsed.kind !== 'event') continue;
    stampOrigin(parsed.event, origin);
    events.push(parsed.event);
  }
  return events;
}

const modes = ['index', 'daily', 'dataStream'] as const;

describe('elasticsearch documents', () => {
  const events = generatedEvents(3000);

  it('covers every generated shape', () => {
    expect(events.length).toBe(3000);
    const types = new Set(events.map((e) => e.eventType));
    expect(types).toEqual(new Set(['response', 'faulty']));
    expect(events.some((e) => e.properties?.aiTokenUsage !== undefined)).toBe(true);
    expect(events.some((e) => e.organizationId !== undefined)).toBe(true);
  });

  it.each(modes)('in %s mode, the bulk bodies are exactly the reference lines, in order', (indexMode) => {
    const config = { indexPrefix: 'apim_event', indexMode };
    const expected = events.map((e) => reference(e, config));
    expect(events.map((e) => bulkLines(e, config))).toEqual(expected);
    const chunks = toBulkChunks(events, config, 256 * 1024);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.map((c) => c.body).join('')).toBe(expected.join(''));
  });

  it('with the default `searchable` section (all off), the bulk bodies are still the reference lines', () => {
    const config = {
      indexPrefix: 'apim_event',
      indexMode: 'index',
      searchable: { properties: {}, headers: false, mcpAnalytics: false },
    } as const;
    const chunks = toBulkChunks(events, config, 256 * 1024);
    expect(chunks.map((c) => c.body).join('')).toBe(events.map((e) => reference(e, config)).join(''));
  });

  it.each([
    ['its own @timestamp', { '@timestamp': 'from the line' }],
    ['integer-like keys (written first by any object)', { '7': 'a', '12': { x: 1 } }],
    ['a key that only starts with a digit', { '1st': true }],
    ['a __proto__ key from JSON', JSON.parse('{"__proto__":{"polluted":true}}') as object],
    ['undefined values', { apiVersion: undefined }],
    ['escapes and non-ASCII', { apiName: 'é"\\\n\u2028 \ud83d\ude00 \ud800' }],
    ['a correlation id too long for a readable _id', { correlationId: 'x'.repeat(600) }],
  ])('with %s, the document is the reference', (_, extra) => {
    const event = { ...testEvent(1), ...extra } as CanonicalEvent;
    for (const indexMode of modes) {
      const config = { indexPrefix: 'apim_event', indexMode };
      expect(bulkLines(event, config)).toBe(reference(event, config));
    }
    expect(JSON.parse(documentJson(event))).toEqual(
      JSON.parse(JSON.stringify({ '@timestamp': event.requestTimestamp, ...event })),
    );
  });
});
