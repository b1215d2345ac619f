import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_LINE_BYTES,
  type ParseResult,
  parseLine,
} from '../../../../src/parsers/wso2-apim/parse.js';
import { compileEventValidator } from '../../../helpers/event-validator.js';
import { SAMPLE_RESPONSE } from '../../../helpers/lines.js';

const SYNAPSE = '08:23:34,898 [-] [PassThroughMessageProcessor-188]  INFO ELKCounterMetric apimMetrics: ';

const RESPONSE = SAMPLE_RESPONSE;

const FAULTY = {
  apiName: 'OrdersAPI',
  requestTimestamp: '2025-03-04T09:18:10.077Z',
  errorType: 'AUTH',
  proxyResponseCode: 401,
  errorMessage: 'AUTHENTICATION_FAILURE',
  applicationOwner: 'UNKNOWN',
  errorCode: 900902,
  apiCreatorTenantDomain: 'carbon.super',
  apiVersion: '1.0.0',
  gatewayType: 'SYNAPSE',
  apiCreator: 'admin',
  regionId: 'default',
  correlationId: '11111111-2222-4333-8444-555555555555',
  keyType: 'UNKNOWN',
  applicationId: 'UNKNOWN',
  apiId: '0b6f0a52-7d0e-4f38-9a7e-3d7f0c1b9e21',
  apiType: 'HTTP',
  applicationName: 'UNKNOWN',
  properties: { apiContext: '/orders/1.0.0', responseSize: 0, responseContentType: 'application/json' },
  targetResponseCode: -1,
} as const;

type Json = Record<string, unknown>;

function response(overrides: Json = {}): Json {
  return { ...RESPONSE, ...overrides };
}

function without(record: Json, ...keys: string[]): Json {
  const copy = { ...record };
  for (const key of keys) delete copy[key];
  return copy;
}

function line(metric: string, record: unknown, separator = ', properties :'): string {
  return `${SYNAPSE}${metric}${separator}${JSON.stringify(record)}`;
}

function eventOf(result: ParseResult): Json {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event as Json;
}

const validate = compileEventValidator();

describe('parseLine on valid lines', () => {
  it.each([
    ['a 4.x response', line('apim:response', RESPONSE), { eventType: 'response', responseLatency: 4 }],
    [
      'a 4.5 faulty event with the `[]` MDC',
      `09:18:10,081 [] [PassThroughMessageProcessor-3]  INFO ELKCounterMetric apimMetrics: apim:faulty, properties :${JSON.stringify(FAULTY)}`,
      { eventType: 'faulty', errorCode: 900902, targetResponseCode: -1 },
    ],
    [
      'a 4.1 faulty event without properties',
      line('apim:faulty', without({ ...FAULTY, responseCacheHit: false }, 'properties')),
      { eventType: 'faulty', properties: {}, responseCacheHit: false },
    ],
    [
      'a 4.2 unfiltered faulty event',
      line('apim:faulty', {
        ...FAULTY,
        userName: 'admin@carbon.super',
        apiContext: '/pets/1.0.0',
        responseCacheHit: false,
        properties: {},
      }),
      { userName: 'admin@carbon.super', apiContext: '/pets/1.0.0' },
    ],
    [
      'a 4.3+ response with responseSize',
      line(
        'apim:response',
        response({ properties: { responseSize: 1532, responseContentType: 'application/json' } }),
      ),
      { properties: { responseSize: 1532, responseContentType: 'application/json' } },
    ],
    [
      'a 4.0 custom-reporter line with an eventType key',
      `INFO - LogCounterMetric apimMetrics: apim:response, properties :${JSON.stringify(without({ ...RESPONSE, eventType: 'fault' }, 'userName', 'apiContext', 'properties'))}`,
      { eventType: 'response', properties: {} },
    ],
    [
      'a v1.0.10 faulty event that says eventType response',
      line('apim:faulty', { ...FAULTY, eventType: 'response' }),
      { eventType: 'faulty' },
    ],
    [
      'an APK line with `properties: ` and APK spellings',
      `2025-03-04T10:01:02Z INFO apimMetrics: apim:response, properties: ${JSON.stringify(without({ ...RESPONSE, correlationID: 'apk-1', apiCreation: 'alice', regionID: 'eu', applicationID: 'app-1', userIP: '203.0.113.7', organizationID: 'org', environmentID: 'env' }, 'correlationId', 'apiCreator', 'regionId', 'applicationId', 'userIp'))}`,
      {
        correlationId: 'apk-1',
        apiCreator: 'alice',
        regionId: 'eu',
        applicationId: 'app-1',
        userIp: '203.0.113.7',
        organizationId: 'org',
        environmentId: 'env',
      },
    ],
    [
      'a line with a trailing CR (CRLF file)',
      `${line('apim:response', RESPONSE)}\r`,
      { correlationId: RESPONSE.correlationId },
    ],
    [
      'a line with trailing blanks',
      `${line('apim:response', RESPONSE)}  \t`,
      { correlationId: RESPONSE.correlationId },
    ],
    [
      'a line with extra blanks around the separator',
      `${SYNAPSE} apim:response ,  properties  :  ${JSON.stringify(RESPONSE)}`,
      { eventType: 'response' },
    ],
    [
      'a line with an MDC and a multi-dash thread',
      `08:23:34,898 [10.0.0.5-gw-1] [PassThroughMessageProcessor-worker-7]  INFO ELKCounterMetric apimMetrics: apim:response, properties :${JSON.stringify(RESPONSE)}`,
      { eventType: 'response' },
    ],
  ])('parses %s', (_name, input, expected) => {
    expect(eventOf(parseLine(input))).toMatchObject(expected);
  });

  it.each([
    ['a header value with a comma', { responseContentType: 'text/html, application/xml' }],
    ['a value with " :"', { commonName: 'a :b' }],
    ['braces and the separator itself', { requestHeaders: { 'x-note': 'x, properties :{} }' } }],
  ])('is not fooled by %s inside a JSON string', (_name, properties) => {
    const input = line('apim:response', response({ destination: 'http://b:1/a, properties :{', properties }));
    expect(eventOf(parseLine(input))).toMatchObject({
      destination: 'http://b:1/a, properties :{',
      properties,
    });
  });

  it.each([
    ['2022-12-15T02:53:34.894Z', '2022-12-15T02:53:34.894Z'],
    ['2022-12-15T02:53:34Z', '2022-12-15T02:53:34.000Z'],
    ['2022-12-15T02:53Z', '2022-12-15T02:53:00.000Z'],
    ['2022-12-15T02:53:34.89Z', '2022-12-15T02:53:34.890Z'],
    ['2022-12-15T02:53:34.8Z', '2022-12-15T02:53:34.800Z'],
    ['2022-12-15T02:53:34.123456789Z', '2022-12-15T02:53:34.123Z'],
    ['2022-12-15T08:23:34.894+05:30', '2022-12-15T02:53:34.894Z'],
    ['2022-12-15T02:53:34', '2022-12-15T02:53:34.000Z'],
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
    [1671072814894, '2022-12-15T02:53:34.894Z'],
  ])('normalises requestTimestamp %j to %s', (input, expected) => {
    expect(
      eventOf(parseLine(line('apim:response', response({ requestTimestamp: input })))).requestTimestamp,
    ).toBe(expected);
  });

  it.each([
    [
      'numeric strings to numbers',
      { responseLatency: '12', proxyResponseCode: '200', backendLatency: '1.5' },
      { responseLatency: 12, proxyResponseCode: 200, backendLatency: 1.5 },
    ],
    ['"true"/"false" to booleans', { responseCacheHit: 'true' }, { responseCacheHit: true }],
    [
      'numbers in string fields to strings',
      { apiVersion: 2, correlationId: 42 },
      { apiVersion: '2', correlationId: '42' },
    ],
    [
      'Gson HTML escapes by decoding them',
      { destination: 'https://h/?a\u003d1\u0026b\u003c2' },
      { destination: 'https://h/?a=1&b<2' },
    ],
  ])('coerces %s', (_name, overrides, expected) => {
    expect(eventOf(parseLine(line('apim:response', response(overrides))))).toMatchObject(expected);
  });

  it('drops null values of known fields', () => {
    const event = eventOf(
      parseLine(line('apim:response', response({ destination: null, properties: { commonName: null } }))),
    );
    expect(event).not.toHaveProperty('destination');
    expect(event.properties).toEqual({});
  });

  it('keeps unknown keys at the root and in properties as they are', () => {
    const event = eventOf(
      parseLine(line('apim:response', response({ tier: 'gold', properties: { score: [1, 2] } }))),
    );
    expect(event).toMatchObject({ tier: 'gold', properties: { score: [1, 2] } });
  });

  it('keeps a record’s own root gateway and host under properties: the root keys are the reader’s stamp', () => {
    const event = eventOf(
      parseLine(
        line('apim:response', response({ gateway: 'SYNAPSE', host: 'gw-a', properties: { host: 'taken' } })),
      ),
    );
    expect(event).not.toHaveProperty('gateway');
    expect(event).not.toHaveProperty('host');
    expect(event.properties).toEqual({ host: 'taken', gateway: 'SYNAPSE', host_: 'gw-a' });
  });

  it('copies properties.userName and properties.apiContext to a root without them', () => {
    const record = without(
      response({ properties: { userName: 'bob', apiContext: '/b/1' } }),
      'userName',
      'apiContext',
    );
    expect(eventOf(parseLine(line('apim:response', record)))).toMatchObject({
      userName: 'bob',
      apiContext: '/b/1',
    });
  });

  it('keeps the root userName when properties has another one', () => {
    const record = response({ properties: { userName: 'other' } });
    expect(eventOf(parseLine(line('apim:response', record))).userName).toBe('admin@carbon.super');
  });

  it.each([
    ['camelCase', { vendorName: 'OpenAI', vendorVersion: '1.0.0', model: '"gpt-4o-mini"' }],
    ['snake_case', { vendor_name: 'OpenAI', vendor_version: '1.0.0', model: '"gpt-4o-mini"' }],
  ])('normalises %s AI metadata and strips the quotes around the model', (_name, aiMetadata) => {
    const properties = {
      isEgress: true,
      subtype: 'AIAPI',
      aiMetadata,
      aiTokenUsage: { promptTokens: '412', completionTokens: 128, totalTokens: 540, hour: 9 },
    };
    expect(eventOf(parseLine(line('apim:response', response({ properties })))).properties).toEqual({
      isEgress: true,
      subtype: 'AIAPI',
      aiMetadata: { vendorName: 'OpenAI', vendorVersion: '1.0.0', model: 'gpt-4o-mini' },
      aiTokenUsage: { promptTokens: 412, completionTokens: 128, totalTokens: 540, hour: 9 },
    });
  });

  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
      'Chrome',
      'Windows',
    ],
    ['curl/8.5.0', 'curl', 'Other'],
    ['', 'UNKNOWN', 'UNKNOWN'],
  ])('derives userAgent and platform from a raw userAgentHeader %j', (header, userAgent, platform) => {
    const record = without(response({ userAgentHeader: header }), 'userAgent', 'platform');
    expect(eventOf(parseLine(line('apim:response', record)))).toMatchObject({
      userAgentHeader: header,
      userAgent,
      platform,
    });
  });

  it('keeps a published userAgent over one derived from userAgentHeader', () => {
    const record = response({ userAgent: 'Firefox', userAgentHeader: 'curl/8.5.0' });
    expect(eventOf(parseLine(line('apim:response', record)))).toMatchObject({
      userAgent: 'Firefox',
      platform: 'Other',
    });
  });

  it('accepts a line exactly at maxLineBytes', () => {
    const input = line('apim:response', RESPONSE);
    expect(parseLine(input, { maxLineBytes: input.length }).kind).toBe('event');
  });
});

describe('parseLine on lines it skips', () => {
  it.each([
    ['an empty line', '', 'blank'],
    ['a whitespace line', ' \t\r', 'blank'],
    [
      'the reporter start-up line',
      '09:12:03,114 [-] [main]  INFO ELKMetricReporter LogMetricReporter successfully initialized',
      'not_metric',
    ],
    [
      'a LogMetricReporter test line',
      'Metric Name: apim:response Metric Value: {apiName=PetsAPI}',
      'not_metric',
    ],
    ['binary garbage', '\u0000\u0001\u00ff\ufffd\ufffdPNG\u001a', 'not_metric'],
    ['a line of NUL bytes', '\u0000'.repeat(64), 'not_metric'],
  ])('skips %s', (_name, input, reason) => {
    expect(parseLine(input)).toEqual({ kind: 'skip', reason });
  });
});

describe('parseLine on lines it rejects', () => {
  const valid = line('apim:response', RESPONSE);
  it.each([
    ['a line cut mid-way', valid.slice(0, valid.length / 2), 'truncated_json', 'JSON.parse'],
    ['JSON without its last brace', valid.slice(0, -1), 'truncated_json', 'JSON.parse'],
    [
      'a line that ends at the separator',
      `${SYNAPSE}apim:response, properties :`,
      'truncated_json',
      'before the properties JSON',
    ],
    [
      'a line that ends after the metric name',
      `${SYNAPSE}apim:response`,
      'truncated_json',
      'before the properties JSON',
    ],
    [
      'a line that ends inside the metric name',
      `${SYNAPSE}apim:resp`,
      'truncated_json',
      'inside the metric name',
    ],
    ['invalid JSON', `${SYNAPSE}apim:response, properties :{"apiName":x}`, 'invalid_json', 'JSON.parse'],
    ['text after the JSON', `${valid} trailing`, 'invalid_json', 'non-whitespace'],
    [
      'a missing separator',
      `${SYNAPSE}apim:response ${JSON.stringify(RESPONSE)}`,
      'invalid_json',
      'properties :',
    ],
    [
      'NUL bytes inside a JSON string',
      `${SYNAPSE}apim:response, properties :{"apiName":"Pe\u0000ts"}`,
      'invalid_json',
      'control character',
    ],
    [
      'binary garbage after the marker',
      '\u0000\u0000apimMetrics: \ufffd\ufffd{\u0001',
      'unknown_metric',
      'neither',
    ],
    ['an unknown metric apim:foo', line('apim:foo', RESPONSE), 'unknown_metric', 'apim:foo'],
    ['a metric name in other case', line('APIM:RESPONSE', RESPONSE), 'unknown_metric', 'APIM:RESPONSE'],
    ['a JSON array', line('apim:response', [RESPONSE]), 'not_an_object', 'an array'],
    ['JSON null', line('apim:response', null), 'not_an_object', 'null'],
    ['a JSON number', line('apim:response', 42), 'not_an_object', 'a number'],
    [
      'a missing correlationId',
      line('apim:response', without(RESPONSE, 'correlationId')),
      'missing_field',
      'correlationId',
    ],
    [
      'a missing requestTimestamp',
      line('apim:response', without(RESPONSE, 'requestTimestamp')),
      'missing_field',
      'requestTimestamp',
    ],
    [
      'a null correlationId',
      line('apim:response', response({ correlationId: null })),
      'missing_field',
      'correlationId',
    ],
    [
      'an empty correlationId',
      line('apim:response', response({ correlationId: '' })),
      'invalid_field',
      'correlationId is empty',
    ],
    [
      'a latency of "abc"',
      line('apim:response', response({ responseLatency: 'abc' })),
      'invalid_field',
      'responseLatency: expected a number, got "abc"',
    ],
    [
      'a latency of "0x10"',
      line('apim:response', response({ backendLatency: '0x10' })),
      'invalid_field',
      'backendLatency',
    ],
    [
      'an unparseable requestTimestamp',
      line('apim:response', response({ requestTimestamp: 'yesterday' })),
      'invalid_field',
      'requestTimestamp',
    ],
    [
      'a requestTimestamp of February 30th',
      line('apim:response', response({ requestTimestamp: '2025-02-30T00:00:00.000Z' })),
      'invalid_field',
      'requestTimestamp',
    ],
    [
      'a requestTimestamp of only a year',
      line('apim:response', response({ requestTimestamp: '2025' })),
      'invalid_field',
      'requestTimestamp',
    ],
    [
      'a fractional status code',
      line('apim:response', response({ proxyResponseCode: 200.5 })),
      'invalid_field',
      'proxyResponseCode',
    ],
    [
      'a boolean of "maybe"',
      line('apim:response', response({ responseCacheHit: 'maybe' })),
      'invalid_field',
      'responseCacheHit',
    ],
    [
      'an object in a string field',
      line('apim:response', response({ apiName: { en: 'x' } })),
      'invalid_field',
      'apiName: expected a string, got an object',
    ],
    [
      'properties that are a string',
      line('apim:response', response({ properties: '{}' })),
      'invalid_field',
      'properties',
    ],
    [
      'a token count of "many"',
      line('apim:response', response({ properties: { aiTokenUsage: { totalTokens: 'many' } } })),
      'invalid_field',
      'properties.aiTokenUsage.totalTokens',
    ],
    [
      'headers that are not an object',
      line('apim:response', response({ properties: { requestHeaders: 'a=b' } })),
      'invalid_field',
      'properties.requestHeaders',
    ],
    [
      'an infinite latency',
      valid.replace('"responseLatency":4', '"responseLatency":1e400'),
      'invalid_field',
      'Infinity',
    ],
  ])('rejects %s', (_name, input, reason, detail) => {
    const result = parseLine(input);
    expect(result).toMatchObject({ kind: 'reject', reason });
    expect(result.kind === 'reject' && result.detail).toContain(detail);
  });

  it('rejects a line longer than maxLineBytes before looking at it', () => {
    expect(parseLine(valid, { maxLineBytes: 100 })).toEqual({
      kind: 'reject',
      reason: 'line_too_long',
      detail: `line is ${valid.length} characters, the limit is 100`,
    });
  });

  it('rejects a line longer than the 1 MiB default', () => {
    expect(parseLine('x'.repeat(DEFAULT_MAX_LINE_BYTES + 1))).toMatchObject({
      kind: 'reject',
      reason: 'line_too_long',
    });
  });

  it('keeps the detail short and never echoes the whole line', () => {
    const long = line('apim:response', response({ apiName: { big: 'y'.repeat(5000) } }));
    const result = parseLine(`${long.slice(0, -1)}x`);
    expect(result.kind).toBe('reject');
    expect(result.kind === 'reject' && result.detail.length).toBeLessThanOrEqual(201);
  });
});

describe('parseLine under random damage', () => {
  const seeds = [
    line('apim:response', RESPONSE),
    line('apim:faulty', FAULTY),
    line(
      'apim:response',
      response({
        properties: { aiMetadata: { vendor_name: 'x', model: '"m"' }, aiTokenUsage: { totalTokens: 3 } },
      }),
    ),
    `x apimMetrics: apim:response, properties: ${JSON.stringify(without({ ...RESPONSE, correlationID: 'a' }, 'correlationId'))}`,
  ];
  const alphabet = [
    '{',
    '}',
    '[',
    ']',
    '"',
    '\\',
    ':',
    ',',
    ' ',
    '\r',
    '\u0000',
    '0',
    '9',
    '-',
    '.',
    'e',
    'n',
    't',
    'apimMetrics:',
    'properties :',
    '\ud83d',
    'é',
    'null',
    'true',
  ];

  /** mulberry32: a tiny seeded PRNG, so a failure reproduces. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function mutate(input: string, next: () => number): string {
    let text = input;
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (text.length + 1));
      const piece = alphabet[Math.floor(next() * alphabet.length)] ?? '';
      const op = Math.floor(next() * 5);
      if (op === 0) text = text.slice(0, at) + piece + text.slice(at);
      else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 20));
      else if (op === 2) text = text.slice(0, at);
      else if (op === 3) text = text.slice(0, at) + piece + text.slice(at + piece.length);
      else text = text.slice(0, at) + text.slice(Math.floor(next() * text.length));
    }
    return text;
  }

  it('never throws and always returns an event, skip or reject; every event fits the schema', () => {
    const next = random(20_251_123);
    const kinds = { event: 0, skip: 0, reject: 0 };
    for (let i = 0; i < 10_000; i++) {
      const input = mutate(seeds[i % seeds.length] ?? '', next);
      const result = parseLine(input);
      kinds[result.kind]++;
      if (result.kind === 'event' && !validate(result.event)) {
        throw new Error(`event does not fit the schema: ${input}\n${JSON.stringify(validate.errors)}`);
      }
      if (result.kind === 'reject') expect(result.detail.length).toBeLessThanOrEqual(201);
    }
    expect(kinds.event + kinds.skip + kinds.reject).toBe(10_000);
    expect(kinds.reject).toBeGreaterThan(1000);
    expect(kinds.event).toBeGreaterThan(1000);
  });
});
