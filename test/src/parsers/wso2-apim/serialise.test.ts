import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type ParseResult, parseLine } from '../../../../src/parsers/wso2-apim/parse.js';
import { eventJson } from '../../../../src/parsers/wso2-apim/serialise.js';
import { createGenerator } from '../../../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../../../src/schema/event.js';
import { WSO2_APIM_FIXTURES } from '../../../helpers/wso2-apim-fixtures.js';

const PREFIX = '09:00:00,026 [-] [PassThroughMessageProcessor-103]  INFO ELKCounterMetric apimMetrics: ';
const response = (json: string) => `${PREFIX}apim:response, properties :${json}`;

const BASE = {
  apiName: 'BookingsAPI',
  proxyResponseCode: 201,
  correlationId: 'a8019926-0e71-4f1c-a3c0-02003c22001e',
  responseLatency: 26,
  properties: { userName: 'u@carbon.super', apiContext: '/b/1', responseSize: 3878 },
  userName: 'u@carbon.super',
  apiContext: '/b/1',
};

type EventResult = Extract<ParseResult, { kind: 'event' }>;

function parsed(line: string): EventResult {
  const result = parseLine(line);
  if (result.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(result)}`);
  return result;
}

/** The property every output line must have: its value is exactly the event. */
function expectSameValue(result: EventResult): string {
  const text = eventJson(result);
  expect(JSON.parse(text)).toEqual(result.event);
  expect(text).not.toContain('\n');
  return text;
}

describe('eventJson', () => {
  it('reuses the record text of a canonical line and appends eventType', () => {
    const json = JSON.stringify({ ...BASE, requestTimestamp: '2025-03-04T09:00:00.026Z' });
    const result = parsed(response(json));
    expect(result.source).toBe(json);
    expect(eventJson(result)).toBe(`${json.slice(0, -1)},"eventType":"response"}`);
    expectSameValue(result);
  });

  it('splices a canonicalised timestamp into the text, keeping the producer escapes', () => {
    const json =
      '{"apiName":"A","requestTimestamp":"2025-03-04T09:00Z","correlationId":"c","properties":{"ct":"a\\u003db"}}';
    const result = parsed(response(json));
    expect(result.sourceTimestamp).toBe('2025-03-04T09:00Z');
    expect(eventJson(result)).toBe(
      '{"apiName":"A","requestTimestamp":"2025-03-04T09:00:00.000Z","correlationId":"c","properties":{"ct":"a\\u003db"},"eventType":"response"}',
    );
    expectSameValue(result);
  });

  it('keeps blanks around the colon and after the object', () => {
    const result = parsed(
      `${PREFIX}apim:faulty, properties :{"correlationId":"c", "requestTimestamp" :  "2025-03-04T09:00:05Z","properties":{}}  \r`,
    );
    const text = expectSameValue(result);
    expect(text.endsWith(',"eventType":"faulty"}')).toBe(true);
    expect(result.event.requestTimestamp).toBe('2025-03-04T09:00:05.000Z');
  });

  it.each([
    [
      'a string value spelled "requestTimestamp"',
      '{"correlationId":"c","requestTimestamp":"2025-03-04T09:00Z","note":"requestTimestamp","properties":{}}',
    ],
    [
      'a nested key with the same value while the root key is written with an escape',
      '{"correlationId":"c","properties":{"requestTimestamp":"2025-03-04T09:00Z"},"request\\u0054imestamp":"2025-03-04T09:00Z"}',
    ],
    [
      'the key quoted inside a string',
      '{"correlationId":"c","note":"\\"requestTimestamp\\":\\"2025-03-04T09:00Z\\"","requestTimestamp":"2025-03-04T09:00Z","properties":{}}',
    ],
    [
      'a string ending in requestTimestamp after an escaped backslash',
      '{"correlationId":"c","note":"\\\\","requestTimestamp":"2025-03-04T09:00Z","properties":{}}',
    ],
    [
      'a key written twice (the last value counts, as for JSON.parse)',
      '{"correlationId":"c","requestTimestamp":"2025-03-04T09:00Z","apiName":"A","apiName":"B","properties":{}}',
    ],
  ])('gives the event exactly with %s', (_name, json) => {
    expectSameValue(parsed(response(json)));
  });

  it('does not splice into a nested key when the root key is escaped', () => {
    const json =
      '{"correlationId":"c","properties":{"requestTimestamp":"2025-03-04T09:00Z"},"request\\u0054imestamp":"2025-03-04T09:00Z"}';
    const result = parsed(response(json));
    expect(result.source).toBe(json);
    const value = JSON.parse(eventJson(result)) as CanonicalEvent & { properties: Record<string, unknown> };
    expect(value.properties.requestTimestamp).toBe('2025-03-04T09:00Z');
    expect(value.requestTimestamp).toBe('2025-03-04T09:00:00.000Z');
  });

  it.each([
    ['an eventType key in the record', { ...BASE, eventType: 'other' }],
    ['no properties', { ...BASE, properties: undefined }],
    ['a quoted number', { ...BASE, responseLatency: '26' }],
    ['a null field', { ...BASE, errorCode: null }],
    ['userName only under properties', { ...BASE, userName: undefined }],
    ['an APK spelling', { ...BASE, correlationId: undefined, correlationID: 'x' }],
    ['a numeric correlationId', { ...BASE, correlationId: 42 }],
    ['an epoch timestamp', { ...BASE, requestTimestamp: 1741078800000 }],
  ])('serialises the event afresh after a change: %s', (_name, record) => {
    const json = JSON.stringify({ requestTimestamp: '2025-03-04T09:00:00.026Z', ...record });
    const result = parsed(response(json));
    expect(result.source).toBeUndefined();
    expect(eventJson(result)).toBe(JSON.stringify(result.event));
  });

  it('gives every fixture event exactly', async () => {
    let events = 0;
    for (const name of WSO2_APIM_FIXTURES) {
      const text = await readFile(new URL(`../../../fixtures/wso2-apim/${name}`, import.meta.url), 'utf8');
      for (const line of text.split('\n')) {
        const result = parseLine(line);
        if (result.kind !== 'event') continue;
        expectSameValue(result);
        events++;
      }
    }
    expect(events).toBeGreaterThan(20);
  });

  it('gives 20,000 generated events of every shape exactly, most of them from the record text', () => {
    const generator = createGenerator({ seed: 7, variants: true });
    let verbatim = 0;
    for (let i = 0; i < 20_000; i++) {
      const result = parsed(generator.next());
      expectSameValue(result);
      if (result.source !== undefined) verbatim++;
    }
    expect(verbatim).toBeGreaterThan(10_000);
  });
});
