import { describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../../../../src/parsers/wso2-apim/sim/generate.js';
import {
  createGenerator,
  expectedCounts,
  gsonString,
} from '../../../../../src/parsers/wso2-apim/sim/generate.js';

/** The WSO2 line grammar (reference §1.3); APK writes `properties: ` (no space before the colon). */
const GRAMMAR =
  /^\d{2}:\d{2}:\d{2},\d{3} \[[^\]]*\] \[[^\]]*\]\s+INFO \S+ apimMetrics: apim:(response|faulty), (properties :|properties: )(\{.*\})$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z$/;

/** Key order of the real response line in the WSO2 Datadog guide. */
const RESPONSE_KEYS = [
  'apiName', 'proxyResponseCode', 'destination', 'apiCreatorTenantDomain', 'platform', 'apiMethod', 'apiVersion',
  'gatewayType', 'apiCreator', 'responseCacheHit', 'backendLatency', 'correlationId', 'requestMediationLatency',
  'keyType', 'apiId', 'applicationName', 'targetResponseCode', 'requestTimestamp', 'applicationOwner', 'userAgent',
  'userName', 'apiResourceTemplate', 'responseLatency', 'regionId', 'responseMediationLatency', 'userIp',
  'apiContext', 'applicationId', 'apiType', 'properties',
]; // biome-ignore format: one list

/** Key order of the filtered 4.5 faulty line (wso2/api-manager#4199). */
const FAULTY_KEYS = [
  'apiName', 'requestTimestamp', 'errorType', 'proxyResponseCode', 'errorMessage', 'applicationOwner', 'errorCode',
  'apiCreatorTenantDomain', 'apiVersion', 'gatewayType', 'apiCreator', 'regionId', 'correlationId', 'keyType',
  'applicationId', 'apiId', 'apiType', 'applicationName', 'properties', 'targetResponseCode',
]; // biome-ignore format: one list

/** errorCode → [errorType, errorMessage, allowed proxyResponseCodes] (reference §3). */
const FAULT_CODES: Record<number, [string, string, number[]]> = {
  900901: ['AUTH', 'AUTHENTICATION_FAILURE', [401]],
  900902: ['AUTH', 'AUTHENTICATION_FAILURE', [401]],
  900903: ['AUTH', 'AUTHENTICATION_FAILURE', [401]],
  900904: ['AUTH', 'AUTHENTICATION_FAILURE', [401]],
  900905: ['AUTH', 'AUTHORIZATION_FAILURE', [401, 403]],
  900908: ['AUTH', 'SUBSCRIPTION_VALIDATION_FAILURE', [403]],
  900910: ['AUTH', 'AUTHORIZATION_FAILURE', [403]],
  900800: ['THROTTLED', 'API_LEVEL_LIMIT_EXCEEDED', [429]],
  900801: ['THROTTLED', 'HARD_LIMIT_EXCEEDED', [503]],
  900802: ['THROTTLED', 'RESOURCE_LEVEL_LIMIT_EXCEEDED', [429]],
  900803: ['THROTTLED', 'APPLICATION_LEVEL_LIMIT_EXCEEDED', [429]],
  900804: ['THROTTLED', 'SUBSCRIPTION_LIMIT_EXCEEDED', [429]],
  900806: ['THROTTLED', 'CUSTOM_POLICY_LIMIT_EXCEEDED', [429]],
  900807: ['THROTTLED', 'BURST_CONTROL_LIMIT_EXCEEDED', [429]],
  101503: ['TARGET_CONNECTIVITY', 'OTHER', [502, 503]],
  101504: ['TARGET_CONNECTIVITY', 'CONNECTION_TIMEOUT', [504]],
  101508: ['TARGET_CONNECTIVITY', 'CONNECTION_TIMEOUT', [504]],
  303001: ['TARGET_CONNECTIVITY', 'CONNECTION_SUSPENDED', [503]],
  404: ['OTHER', 'RESOURCE_NOT_FOUND', [404]],
  405: ['OTHER', 'METHOD_NOT_ALLOWED', [405]],
  500: ['OTHER', 'UNCLASSIFIED', [400, 500]],
};

interface Parsed {
  line: string;
  metric: 'response' | 'faulty';
  apk: boolean;
  json: Record<string, unknown>;
  jsonText: string;
}

function parse(line: string): Parsed {
  const m = GRAMMAR.exec(line);
  if (m === null) throw new Error(`line does not match the grammar: ${line}`);
  const jsonText = m[3]!;
  return {
    line,
    metric: m[1] as Parsed['metric'],
    apk: m[2] === 'properties: ',
    json: JSON.parse(jsonText) as Record<string, unknown>,
    jsonText,
  };
}

function take(options: GeneratorOptions, n: number): string[] {
  const g = createGenerator(options);
  return Array.from({ length: n }, () => g.next());
}

const props = (p: Parsed): Record<string, unknown> => p.json.properties as Record<string, unknown>;

describe('createGenerator', () => {
  const lines = take({ seed: 42 }, 20_000);
  const parsed = lines.map(parse);
  const responses = parsed.filter((p) => p.metric === 'response');
  const faults = parsed.filter((p) => p.metric === 'faulty');

  it('produces the same lines for the same seed and different lines for another seed', () => {
    expect(take({ seed: 42 }, 2000)).toEqual(lines.slice(0, 2000));
    expect(take({ seed: 43 }, 50)).not.toEqual(lines.slice(0, 50));
  });

  it('writes every line in the WSO2 grammar with two spaces before INFO and no newline', () => {
    for (const line of lines) {
      expect(line).toMatch(GRAMMAR);
      expect(line).toMatch(/\] {2}INFO ELKCounterMetric apimMetrics: apim:(response|faulty), properties :\{/);
      expect(line).not.toMatch(/[\r\n]/);
    }
  });

  it('writes response lines with the 30 keys in the order of a real line', () => {
    expect(responses.length).toBeGreaterThan(15_000);
    for (const p of responses) expect(Object.keys(p.json)).toEqual(RESPONSE_KEYS);
  });

  it('writes faulty lines with the 20 keys of the filtered schema and targetResponseCode -1', () => {
    expect(faults.length).toBeGreaterThan(500);
    for (const p of faults) {
      expect(Object.keys(p.json)).toEqual(FAULTY_KEYS);
      expect(p.json.targetResponseCode).toBe(-1);
    }
  });

  it('pairs errorType, errorCode, errorMessage and proxyResponseCode as the gateway does', () => {
    const seen = new Set<string>();
    for (const { json } of faults) {
      const expected = FAULT_CODES[json.errorCode as number];
      expect(expected, `errorCode ${String(json.errorCode)}`).toBeDefined();
      const [type, message, proxy] = expected!;
      expect([json.errorType, json.errorMessage]).toEqual([type, message]);
      expect(proxy).toContain(json.proxyResponseCode);
      seen.add(type);
      if (type === 'AUTH') {
        expect([json.applicationId, json.applicationName, json.applicationOwner, json.keyType]).toEqual([
          'UNKNOWN',
          'UNKNOWN',
          'UNKNOWN',
          'UNKNOWN',
        ]);
      }
    }
    expect([...seen].sort()).toEqual(['AUTH', 'OTHER', 'TARGET_CONNECTIVITY', 'THROTTLED']);
  });

  it('keeps backend and mediation latency within the response latency, with a long tail', () => {
    const latencies: number[] = [];
    for (const { json } of responses) {
      const total = json.responseLatency as number;
      const parts = [
        json.backendLatency,
        json.requestMediationLatency,
        json.responseMediationLatency,
      ] as number[];
      expect(parts.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      expect(parts[0]! + parts[1]! + parts[2]!).toBeLessThanOrEqual(total);
      if (json.responseCacheHit === true) expect(json.backendLatency).toBe(0);
      latencies.push(total);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[latencies.length >> 1]!;
    expect(median).toBeGreaterThanOrEqual(5);
    expect(median).toBeLessThanOrEqual(100);
    expect(latencies.at(-1)!).toBeGreaterThan(1000);
    expect(responses.some((p) => p.json.responseCacheHit === true)).toBe(true);
  });

  it('answers mostly 200 with some backend 4xx/5xx relayed as responses', () => {
    const codes = new Map<number, number>();
    for (const { json } of responses) {
      expect(json.proxyResponseCode).toBe(json.targetResponseCode);
      codes.set(json.proxyResponseCode as number, (codes.get(json.proxyResponseCode as number) ?? 0) + 1);
    }
    expect(codes.get(200)! / responses.length).toBeGreaterThan(0.6);
    for (const code of [201, 204, 400, 404, 500, 503]) expect(codes.get(code) ?? 0).toBeGreaterThan(0);
  });

  it('prints requestTimestamp like Java OffsetDateTime, starting at startTime and never going back', () => {
    const start = Date.UTC(2025, 2, 4, 9, 0, 0);
    let previous = start;
    let withoutMillis = 0;
    for (const [i, { json }] of parsed.entries()) {
      const ts = json.requestTimestamp as string;
      expect(ts).toMatch(ISO);
      const ms = Date.parse(ts);
      if (i === 0) expect(ms).toBe(start);
      expect(ms).toBeGreaterThanOrEqual(previous);
      previous = ms;
      if (!ts.includes('.')) {
        withoutMillis++;
        expect(ms % 1000).toBe(0);
      }
    }
    expect(withoutMillis).toBeGreaterThan(0);
    expect(withoutMillis).toBeLessThan(parsed.length / 20);
  });

  it('escapes = & < > and apostrophes the way Gson does', () => {
    expect(gsonString("a=b&c<d>e'f")).toBe('"a\\u003db\\u0026c\\u003cd\\u003ee\\u0027f"');
    for (const p of parsed) expect(p.jsonText).not.toMatch(/[=&<>']/);
    expect(lines.some((l) => l.includes('\\u003d'))).toBe(true);
  });

  it('writes AI/egress responses with quoted model names and consistent token counts', () => {
    const ai = responses.filter((p) => props(p).isEgress === true);
    expect(ai.length).toBeGreaterThan(0);
    for (const p of ai) {
      const pr = props(p);
      expect(pr.subtype).toBe('AIAPI');
      const meta = pr.aiMetadata as Record<string, string>;
      expect(Object.keys(meta)).toEqual(['vendorVersion', 'model', 'vendorName']);
      expect(meta.model).toMatch(/^".+"$/);
      const usage = pr.aiTokenUsage as Record<string, number>;
      expect(Object.keys(usage)).toEqual(['hour', 'promptTokens', 'totalTokens', 'completionTokens']);
      expect(usage.totalTokens).toBe(usage.promptTokens! + usage.completionTokens!);
      expect(usage.hour).toBe(new Date(p.json.requestTimestamp as string).getUTCHours());
    }
    expect(ai[0]!.jsonText).toContain('"model":"\\"');
  });

  it('fills properties with userName, apiContext, responseSize and responseContentType', () => {
    for (const p of responses) {
      const pr = props(p);
      expect(pr.userName).toBe(p.json.userName);
      expect(pr.apiContext).toBe(p.json.apiContext);
      expect(typeof pr.responseSize).toBe('number');
      expect(typeof pr.responseContentType).toBe('string');
    }
  });

  it('skews API popularity (Zipf)', () => {
    const counts = new Map<string, number>();
    for (const { json } of responses)
      counts.set(json.apiName as string, (counts.get(json.apiName as string) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]! / responses.length).toBeGreaterThan(0.12);
    expect(sorted[0]!).toBeGreaterThan(5 * sorted[9]!);
  });

  it('keeps lines about 1 KB like real ones', () => {
    const bytes = lines.map((l) => Buffer.byteLength(l));
    const mean = bytes.reduce((a, b) => a + b, 0) / bytes.length;
    expect(mean).toBeGreaterThan(900);
    expect(mean).toBeLessThan(1200);
    for (const p of responses) expect(Buffer.byteLength(p.line)).toBeGreaterThan(850);
    for (const p of parsed) expect(Buffer.byteLength(p.line)).toBeLessThan(1600);
    for (const p of faults) expect(Buffer.byteLength(p.line)).toBeGreaterThan(600);
  });

  it('counts what it produced', () => {
    const g = createGenerator({ seed: 42 });
    for (let i = 0; i < lines.length; i++) g.next();
    const stats = g.stats;
    expect(g.count).toBe(lines.length);
    expect(stats.lines).toBe(lines.length);
    expect(stats.response).toBe(responses.length);
    expect(stats.faulty).toBe(faults.length);
    expect(stats.ai).toBe(responses.filter((p) => props(p).isEgress === true).length);
    expect(stats.cacheHits).toBe(responses.filter((p) => p.json.responseCacheHit === true).length);
    expect(stats.shapes.response + stats.shapes.faulty).toBe(lines.length);
    expect(expectedCounts({ seed: 42 }, lines.length)).toEqual(stats);
  });

  it('gives every line a unique UUID-v4-shaped correlationId over 100k lines', () => {
    const g = createGenerator({ seed: 5, variants: true });
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const line = g.next();
      const m = /"correlation(?:Id|ID)":"([^"]+)"/.exec(line);
      ids.add(m![1]!);
    }
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 1000))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('honours faultyRatio and aiRatio of zero', () => {
    const stats = expectedCounts({ faultyRatio: 0, aiRatio: 0 }, 5000);
    expect([stats.faulty, stats.ai, stats.response]).toEqual([0, 0, 5000]);
    expect(expectedCounts({ faultyRatio: 1 }, 1000).faulty).toBe(1000);
  });

  it('rejects invalid options', () => {
    expect(() => createGenerator({ apis: 0 })).toThrow(RangeError);
    expect(() => createGenerator({ faultyRatio: 1.5 })).toThrow(/faultyRatio/);
    expect(() => createGenerator({ eventsPerSecond: 0 })).toThrow(/eventsPerSecond/);
  });
});

describe('createGenerator with variants', () => {
  const g = createGenerator({ seed: 9, variants: true });
  const parsed = Array.from({ length: 30_000 }, () => parse(g.next()));
  const stats = g.stats;

  it('mixes every shape and counts each', () => {
    for (const shape of Object.values(stats.shapes)) expect(shape).toBeGreaterThan(0);
    expect(Object.values(stats.shapes).reduce((a, b) => a + b, 0)).toBe(parsed.length);
    expect(parsed.filter((p) => p.apk).length).toBe(stats.shapes['response-apk']);
    expect(parsed.some((p) => p.line.includes(' [] [PassThroughMessageProcessor-'))).toBe(true);
  });

  it('writes 4.1 faulty lines without properties and with responseCacheHit', () => {
    const old = parsed.filter((p) => p.metric === 'faulty' && !('properties' in p.json));
    expect(old.length).toBe(stats.shapes['faulty-4.1']);
    for (const p of old) {
      expect(Object.keys(p.json)).toHaveLength(20);
      expect(p.json.responseCacheHit).toBe(false);
      expect(p.json.targetResponseCode).toBe(-1);
    }
  });

  it('writes 4.2 unfiltered faulty lines with apiContext, userName unless AUTH, and empty properties', () => {
    const unfiltered = parsed.filter((p) => p.metric === 'faulty' && 'apiContext' in p.json);
    expect(unfiltered.length).toBe(stats.shapes['faulty-4.2']);
    for (const p of unfiltered) {
      expect(p.json.properties).toEqual({});
      expect(Object.keys(p.json)).toHaveLength(p.json.errorType === 'AUTH' ? 22 : 23);
    }
  });

  it('writes APK response lines with APK key spellings and a raw user agent', () => {
    const apk = parsed.filter((p) => p.apk);
    for (const p of apk) {
      expect(p.metric).toBe('response');
      for (const key of [
        'correlationID',
        'apiCreation',
        'regionID',
        'applicationID',
        'userIP',
        'userAgentHeader',
      ]) {
        expect(p.json).toHaveProperty(key);
      }
      expect(p.json).not.toHaveProperty('correlationId');
      expect(p.jsonText).not.toMatch(/[&<>]/);
    }
    expect(apk.some((p) => String(p.json.userAgentHeader).startsWith('Mozilla/5.0'))).toBe(true);
  });

  it('writes 4.2 response lines with empty properties', () => {
    const empty = parsed.filter(
      (p) => p.metric === 'response' && !p.apk && Object.keys(props(p)).length === 0,
    );
    expect(empty.length).toBe(stats.shapes['response-4.2']);
    for (const p of empty) expect(Object.keys(p.json)).toEqual(RESPONSE_KEYS);
  });
});
