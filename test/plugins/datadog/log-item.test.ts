import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { LOG_ITEM_BYTES, sizedLog } from '../../../plugins/datadog/log-size.js';
import { MOVED_KEYS_ATTRIBUTE, wso2Message } from '../../../plugins/datadog/log-wso2.js';
import {
  LOG_BYTES_PER_REQUEST,
  LOGS_PER_REQUEST,
  logChunks,
  logItem,
  logItemBytes,
  logsJson,
} from '../../../plugins/datadog/payload.js';
import {
  LOG_FACETS,
  LOG_MEASURES,
  WSO2_GROK_RULE,
  WSO2_GROK_SAMPLE,
} from '../../../plugins/datadog/setup/log-pipeline.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import { withPii } from '../../../src/pii/plugin.js';
import { type PiiConfig, PiiSchema } from '../../../src/pii/schema.js';
import type { Plugin } from '../../../src/plugin/contract.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { datadogValidator } from '../../helpers/datadog-spec.js';

const event: CanonicalEvent = {
  eventType: 'response',
  requestTimestamp: '2026-12-07T08:00:00.000Z',
  correlationId: 'c-1',
  gateway: { type: 'wso2-apim' },
  host: { name: 'gw-7' },
  properties: {},
};

type Logs = DatadogConfig['logs'];
const json: Logs = { enabled: true, format: 'json', source: '' };
const wso2: Logs = { enabled: true, format: 'wso2', source: '' };

/** A log item as the intake reads it: the declared fields and the attributes side by side. */
const asSent = (item: ReturnType<typeof logItem>): Record<string, unknown> =>
  (JSON.parse(logsJson([item])) as Record<string, unknown>[])[0] ?? {};

const FIXTURES = new URL('../../fixtures/wso2-apim/', import.meta.url);

/** The lines of a fixture log that are WSO2 metric lines. */
async function metricLines(name: string): Promise<string[]> {
  const text = await readFile(new URL(name, FIXTURES), 'utf8');
  return text.split('\n').filter((l) => /apimMetrics: apim:(response|faulty), properties :\{/.test(l));
}

/**
 * What WSO2's Datadog pipeline makes of a line: its grok rule takes the word after `apim:` as
 * `eventType` and the JSON after `properties :` as the attributes (`%{data::json}`).
 */
function wso2Pipeline(line: string): Record<string, unknown> {
  const m = /apimMetrics: apim:(\w+), properties :(\{.*\})\s*$/.exec(line);
  if (m === null) throw new Error(`not a metric line: ${line}`);
  return { ...(JSON.parse(m[2] ?? '{}') as Record<string, unknown>), eventType: m[1] };
}

/**
 * WSO2's grok match rule as a JavaScript regex (Datadog grok: a rule matches the whole value;
 * `date("HH:mm:ss,SSS")` a time, `regex("…")` its pattern with `\\` unescaped, `data` anything).
 */
function grokRegex(rule: string): RegExp {
  const body = rule
    .trim()
    .replace(/^\S+ /, '')
    .replace(/%\{date\("HH:mm:ss,SSS"\)\}/g, '\\d{2}:\\d{2}:\\d{2},\\d{3}')
    .replace(/%\{regex\("((?:[^"\\]|\\.)*)"\)(?::(\w+))?\}/g, (_m, re: string, name?: string) => {
      const pattern = re.replace(/\\\\/g, '\\');
      return name === undefined ? `(?:${pattern})` : `(?<${name}>${pattern})`;
    })
    .replace(/%\{data::json\}/g, '(?<json>.*)');
  return new RegExp(`^${body}$`);
}

function parsed(line: string): CanonicalEvent {
  const r = parseLine(line);
  if (r.kind !== 'event') throw new Error(`did not parse: ${line}`);
  return { ...r.event, gateway: { type: 'wso2-apim' }, host: { name: 'apim-gw-1' } };
}

describe('a canonical event as a Datadog log (format json)', () => {
  it('takes ddsource from the event’s gateway.type and hostname from its host.name by default', () => {
    const item = logItem(event, { logs: json }, []);
    expect(item).toMatchObject({ ddsource: 'wso2-apim', hostname: 'gw-7', service: 'apim-gateway' });
    expect(JSON.parse(item.message)).toEqual(event);
    expect(item.additionalProperties).toEqual({ timestamp: Date.parse(event.requestTimestamp) });
  });

  it('uses logs.source when set, and sends no hostname for an event without host.name', () => {
    const { host: _, ...replayed } = event;
    const item = logItem(replayed, { logs: { ...json, source: 'wso2' }, service: 'gw' }, ['env:test']);
    expect(item).toMatchObject({ ddsource: 'wso2', service: 'gw', ddtags: 'env:test' });
    expect(item).not.toHaveProperty('hostname');
  });
});

describe('a canonical event as WSO2’s Datadog solution expects its log (format wso2)', () => {
  it('has exactly the attributes WSO2’s pipeline makes of the same line (its guide’s sample)', async () => {
    const [line] = await metricLines('docs-apim_datadog-guide_sample-response-line.log');
    const item = asSent(logItem(parsed(line ?? ''), { logs: wso2, service: 'apim' }, ['env:prod']));
    const { ddsource, ddtags, hostname, service, message, timestamp, gateway, ...attributes } = item;
    expect(attributes).toEqual(wso2Pipeline(line ?? ''));
    expect({ ddsource, ddtags, hostname, service, gateway }).toEqual({
      ddsource: 'apim_node',
      ddtags: 'env:prod',
      hostname: 'apim-gw-1',
      service: 'apim',
      gateway: { type: 'wso2-apim' },
    });
    expect(timestamp).toBe(Date.parse('2022-12-15T02:53:34.894Z'));
    expect(message).toBe('apim:response GET /pizzashack/1.0.0/menu 200 4 ms (PizzaShackAPI 1.0.0)');
    expect(datadogValidator('v2/HTTPLog')([item])).toEqual([]);
  });

  it('carries every facet and measure WSO2’s dashboards use with the value WSO2’s pipeline gives it, for every fixture line', async () => {
    const paths = [...LOG_FACETS, ...LOG_MEASURES].map((f) => f.path.slice(1));
    let compared = 0;
    const compare = async (name: string, same: (ours: unknown, theirs: unknown) => boolean) => {
      for (const line of await metricLines(name)) {
        const r = parseLine(line);
        if (r.kind !== 'event') continue;
        const theirs = wso2Pipeline(line);
        const ours = asSent(logItem(r.event, { logs: wso2 }, []));
        for (const path of paths) {
          // A JSON null is no facet value in Datadog; the parser drops it (as Gson does).
          if (theirs[path] === undefined || theirs[path] === null) continue;
          expect(same(ours[path], theirs[path]), `${path}: ${ours[path]} vs ${theirs[path]} in ${line}`).toBe(
            true,
          );
          compared += 1;
        }
      }
    };
    // Lines as WSO2's gateways write them: the very same values.
    await compare('SYNTHETIC_apim_metrics_fixtures.log', (a, b) => Object.is(a, b));
    expect(compared).toBeGreaterThan(50);
    // Odd builds' lines (quoted numbers and booleans): the parser's normalised value, same text.
    await compare('variants.log', (a, b) => String(a) === String(b));
    expect(compared).toBeGreaterThan(100);
  });

  it('leaves WSO2’s grok parser nothing to do: its rule parses raw lines, never gax’s message', () => {
    const grok = grokRegex(WSO2_GROK_RULE);
    const m = grok.exec(WSO2_GROK_SAMPLE);
    expect(m?.groups?.eventType).toBe('response');
    expect(JSON.parse(m?.groups?.json ?? '')).toMatchObject({ apiName: 'PizzaShackAPI' });
    const item = logItem(parsed(WSO2_GROK_SAMPLE), { logs: wso2 }, []);
    expect(grok.test(item.message)).toBe(false);
    expect(grok.test(logItem(event, { logs: wso2 }, []).message)).toBe(false);
  });

  it('writes a faulty event’s message from its error, and never a user, IP or user agent', () => {
    const faulty: CanonicalEvent = {
      ...event,
      eventType: 'faulty',
      apiName: 'Orders',
      apiVersion: 'v2',
      errorType: 'AUTH',
      errorCode: 900901,
      errorMessage: 'AUTHENTICATION_FAILURE',
      proxyResponseCode: 401,
      userName: 'alice@carbon.super',
      userIp: '192.0.2.7',
      userAgent: 'Chrome',
    };
    expect(wso2Message(faulty)).toBe('apim:faulty AUTH 900901 AUTHENTICATION_FAILURE 401 (Orders v2)');
    expect(wso2Message({ ...event, userName: 'alice', userIp: '192.0.2.7' })).toBe('apim:response');
  });

  it('honours logs.source, and moves root keys the intake reserves under apim.*', () => {
    const odd = { ...event, message: 'from the gateway', status: 'x', service: 's', timestamp: 1 };
    const item = asSent(logItem(odd, { logs: { ...wso2, source: 'apim_gw' }, service: 'gw' }, []));
    expect(item).toMatchObject({
      ddsource: 'apim_gw',
      service: 'gw',
      message: 'apim:response',
      timestamp: Date.parse(event.requestTimestamp),
      [MOVED_KEYS_ATTRIBUTE]: { message: 'from the gateway', status: 'x', service: 's', timestamp: 1 },
    });
    expect(item).not.toHaveProperty('status');
    expect(item).not.toHaveProperty('host');
  });

  it('gets what the plugin’s PII rules let through (the wrapper runs before the plugin)', async () => {
    const seen: CanonicalEvent[] = [];
    const plugin: Plugin = {
      start: async () => {},
      stop: async () => {},
      send: async (batch) => {
        seen.push(...batch);
        return batch.map(() => ({ status: 'delivered' }) as const);
      },
    };
    const pii = { userIp: 'mask', userName: 'hash', userAgent: 'drop', hashKey: 'a-key-of-sixteen-chars' };
    const wrapped = withPii(plugin, Value.Default(PiiSchema, pii) as PiiConfig);
    const personal = { ...event, userName: 'alice@carbon.super', userIp: '192.0.2.7', userAgent: 'Chrome' };
    await wrapped.send([personal], new AbortController().signal, undefined as never);
    const item = asSent(logItem(seen[0] as CanonicalEvent, { logs: wso2 }, []));
    expect(item.userIp).toBe('192.0.2.0');
    expect(item.userName).toMatch(/^[0-9a-f]{32}$/);
    expect(item).not.toHaveProperty('userAgent');
    expect(JSON.stringify(item)).not.toContain('alice');
  });
});

describe('log requests', () => {
  it('measure each item in UTF-8 bytes as sent', () => {
    const item = logItem({ ...event, apiName: 'Ünïcødé ✓' }, { logs: wso2 }, []);
    expect(logItemBytes(item)).toBe(Buffer.byteLength(logsJson([item])) - 2);
  });

  it('stay within 1,000 items and the byte budget, every item in order exactly once', () => {
    const sizes = [...Array.from({ length: 2500 }, () => 100), 3_000_000, 2_000_000, 10];
    const chunks = logChunks(
      sizes.map((bytes, i) => ({ i, bytes })),
      (x) => x.bytes,
    );
    expect(chunks.flat().map((x) => x.i)).toEqual(sizes.map((_, i) => i));
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(LOGS_PER_REQUEST);
      const bytes = 2 + c.reduce((n, x) => n + x.bytes + 1, 0);
      if (c.length > 1) expect(bytes).toBeLessThanOrEqual(LOG_BYTES_PER_REQUEST);
    }
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 501, 2]);
  });

  it('leave out headers, then MCP data, of an item over 1 MB until it fits, and say so in apim.omitted', () => {
    const big = (n: number) => ({ h: 'x'.repeat(n) });
    const heavy: CanonicalEvent = {
      ...event,
      apiName: 'Heavy',
      properties: { requestHeaders: big(700_000), responseHeaders: big(600_000), responseSize: 10 },
    };
    for (const logs of [wso2, json]) {
      const sized = sizedLog(heavy, { logs }, []);
      expect(sized.omitted).toEqual(['properties.requestHeaders']);
      expect(sized.bytes).toBeLessThanOrEqual(LOG_ITEM_BYTES);
      expect(sized.bytes).toBe(logItemBytes(sized.item));
      const sent = asSent(sized.item);
      expect(sent[MOVED_KEYS_ATTRIBUTE]).toEqual({ omitted: ['properties.requestHeaders'] });
      const properties = (
        logs.format === 'wso2' ? sent.properties : JSON.parse(String(sent.message)).properties
      ) as Record<string, unknown>;
      expect(properties).toMatchObject({ responseSize: 10, responseHeaders: big(600_000) });
      expect(properties).not.toHaveProperty('requestHeaders');
    }
    const small = sizedLog(event, { logs: wso2 }, []);
    expect(small.omitted).toEqual([]);
    expect(asSent(small.item)).not.toHaveProperty(MOVED_KEYS_ATTRIBUTE);
  });

  it('send an item that cannot fit as it is, with what was left out named', () => {
    const properties = { requestHeaders: { h: 'y'.repeat(10) }, custom: 'z'.repeat(1_100_000) };
    const huge: CanonicalEvent = { ...event, properties };
    const sized = sizedLog(huge, { logs: wso2 }, []);
    expect(sized.omitted).toEqual(['properties.requestHeaders']);
    expect(sized.bytes).toBeGreaterThan(LOG_ITEM_BYTES);
    expect((asSent(sized.item).properties as Record<string, unknown>).custom).toHaveLength(1_100_000);
  });
});
