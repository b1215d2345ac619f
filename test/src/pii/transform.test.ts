// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { CREDENTIAL_HEADERS, maskHeader } from '../../../src/pii/headers.js';
import { withPii } from '../../../src/pii/plugin.js';
import type { PiiConfig } from '../../../src/pii/schema.js';
import { hashValue, maskIp, maskUserAgent, maskUserName, piiTransform } from '../../../src/pii/transform.js';
import type { Plugin } from '../../../src/plugin/contract.js';
import { guardPlugin } from '../../../src/plugin/guard.js';
import type { EventResult } from '../../../src/plugin/result.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { rememberSecrets } from '../../../src/telemetry/redact.js';

const KEY = 'a-pii-key-of-32-characters-long!';

const rules = (overrides: Partial<PiiConfig>): PiiConfig => ({
  userIp: 'keep',
  userName: 'keep',
  userAgent: 'keep',
  headers: 'keep',
  headerNames: [...CREDENTIAL_HEADERS],
  hashKey: KEY,
  ...overrides,
});

const event = (): CanonicalEvent => ({
  eventType: 'response',
  requestTimestamp: '2024-05-01T10:00:00.000Z',
  correlationId: 'c-1',
  apiName: 'PizzaShackAPI',
  userName: 'alice@example.com@tenant.org',
  userIp: '203.0.113.77',
  userAgent: 'Chrome',
  userAgentHeader: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0',
  platform: 'Linux',
  properties: { userName: 'alice@example.com@tenant.org', apiContext: '/pizzashack/1.0.0' },
});

describe('mask', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['203.0.113.0', '203.0.113.0'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::'],
    ['2001:DB8:ABCD::1', '2001:db8:abcd::'],
    ['2001:db8::1', '2001:db8::'],
    ['fe80::1%eth0', 'fe80::'],
    ['::1', '::'],
    ['::ffff:198.51.100.23', '::ffff:198.51.100.0'],
    ['203.0.113.77, 10.1.2.3', '203.0.113.0, 10.1.2.0'],
    ['gateway.example.com', '***'],
    ['203.0.113.77:8443', '***'],
  ])('masks the client IP %s as %s', (ip, masked) => {
    expect(maskIp(ip)).toBe(masked);
    expect(maskIp(masked)).toBe(masked === '***' ? '***' : masked);
  });

  it.each([
    ['admin@carbon.super', '***@carbon.super'],
    ['alice@example.com@tenant.org', '***@tenant.org'],
    ['PRIMARY/bob', '***'],
    ['***@carbon.super', '***@carbon.super'],
  ])('masks the user name %s as %s', (name, masked) => {
    expect(maskUserName(name)).toBe(masked);
  });

  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', 'Mozilla'],
    ['curl/8.5.0', 'curl'],
    ['PostmanRuntime/7.36.0', 'PostmanRuntime'],
    ['Chrome', 'Chrome'],
    ['  okhttp 4.12', 'okhttp'],
  ])('keeps the product token of %j: %s', (agent, masked) => {
    expect(maskUserAgent(agent)).toBe(masked);
  });
});

describe('hashValue', () => {
  it('is HMAC-SHA256 in 32 hex digits: stable for one key, different for another', () => {
    const a = hashValue(KEY, 'admin@carbon.super');
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(hashValue(KEY, 'admin@carbon.super')).toBe(a);
    expect(hashValue(`${KEY}x`, 'admin@carbon.super')).not.toBe(a);
    expect(hashValue(KEY, 'admin@carbon.superx')).not.toBe(a);
  });
});

describe('piiTransform', () => {
  it('is undefined when every field is kept, or there are no rules', () => {
    expect(piiTransform(undefined)).toBeUndefined();
    expect(piiTransform(rules({}))).toBeUndefined();
  });

  it('drops the root and properties user name, both user-agent keys, and the IP', () => {
    const out = piiTransform(rules({ userIp: 'drop', userName: 'drop', userAgent: 'drop' }))?.(event());
    expect(out).toEqual({
      eventType: 'response',
      requestTimestamp: '2024-05-01T10:00:00.000Z',
      correlationId: 'c-1',
      apiName: 'PizzaShackAPI',
      platform: 'Linux',
      properties: { apiContext: '/pizzashack/1.0.0' },
    });
  });

  it('hashes every covered key with the key, the same value to the same hash', () => {
    const out = piiTransform(rules({ userIp: 'hash', userName: 'hash', userAgent: 'hash' }))?.(event());
    const name = hashValue(KEY, 'alice@example.com@tenant.org');
    expect(out).toMatchObject({
      userName: name,
      userIp: hashValue(KEY, '203.0.113.77'),
      userAgent: hashValue(KEY, 'Chrome'),
      userAgentHeader: hashValue(KEY, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0'),
      properties: { userName: name, apiContext: '/pizzashack/1.0.0' },
    });
  });

  it('masks every covered key', () => {
    const out = piiTransform(rules({ userIp: 'mask', userName: 'mask', userAgent: 'mask' }))?.(event());
    expect(out).toMatchObject({
      userName: '***@tenant.org',
      userIp: '203.0.113.0',
      userAgent: 'Chrome',
      userAgentHeader: 'Mozilla',
      properties: { userName: '***@tenant.org' },
    });
  });

  it('never changes the event it is given', () => {
    const original = event();
    const copy = structuredClone(original);
    piiTransform(rules({ userIp: 'drop', userName: 'hash', userAgent: 'mask' }))?.(original);
    expect(original).toEqual(copy);
  });

  it('keeps UNKNOWN and empty values when hashing or masking, and drops a non-string value', () => {
    const input = { ...event(), userIp: 'UNKNOWN', userName: '', userAgent: 42 } as unknown as CanonicalEvent;
    const out = piiTransform(rules({ userIp: 'hash', userName: 'mask', userAgent: 'mask' }))?.(input);
    expect(out).toMatchObject({ userIp: 'UNKNOWN', userName: '' });
    expect(out).not.toHaveProperty('userAgent');
  });

  it('leaves events without the fields (faulty events) as they are', () => {
    const faulty = { eventType: 'faulty', requestTimestamp: '2024-05-01T10:00:00.000Z', correlationId: 'f' };
    const out = piiTransform(rules({ userIp: 'hash', userName: 'drop' }))?.(faulty as CanonicalEvent);
    expect(out).toEqual(faulty);
  });
});

describe('pii config', () => {
  const minimal = 'inputs:\n  - paths: ["/var/log/apim_metrics.log"]\n';

  it('defaults every field to keep when the section is given', () => {
    const loaded = parseConfig(`${minimal}plugins: { file: { pii: { userIp: mask } } }\n`, { env: {} });
    expect(loaded.ok && loaded.config.plugins.file.pii).toEqual({
      userIp: 'mask',
      userName: 'keep',
      userAgent: 'keep',
      headers: 'keep',
      headerNames: [...CREDENTIAL_HEADERS],
      hashKey: '',
    });
  });

  it('requires a hash key of 16 characters or more when a field is hashed', () => {
    for (const key of ['""', '"${K}"']) {
      const text = `${minimal}plugins:\n  datadog: { pii: { userName: hash, hashKey: ${key} } }\n`;
      const loaded = parseConfig(text, { env: { K: 'short' } });
      expect(loaded.ok ? [] : loaded.problems).toMatchObject([
        {
          path: 'plugins.datadog.pii.hashKey',
          message: 'must be set, at least 16 characters, when a field is hashed',
          code: 'GAX_ERR_CONFIG_INVALID',
        },
      ]);
    }
  });

  it('rejects an unknown action with the allowed ones', () => {
    const loaded = parseConfig(`${minimal}plugins: { elasticsearch: { pii: { userIp: scramble } } }\n`, {
      env: {},
    });
    expect(loaded.ok ? [] : loaded.problems).toMatchObject([
      { path: 'plugins.elasticsearch.pii.userIp', message: 'must be one of: keep, drop, hash, mask' },
    ]);
  });
});

/** Records what it was sent; answers each event with `answer`. */
function recorder(answer: EventResult = { status: 'delivered' }) {
  const sent: (readonly CanonicalEvent[])[] = [];
  const plugin: Plugin = {
    maxInFlight: 3,
    start: async () => undefined,
    send: async (batch) => {
      sent.push(batch);
      return batch.map(() => answer);
    },
    stop: async () => undefined,
  };
  return { plugin, sent };
}

describe('withPii', () => {
  it('returns the plugin itself when there is nothing to rewrite', () => {
    const { plugin } = recorder();
    expect(withPii(plugin, undefined)).toBe(plugin);
    expect(withPii(plugin, rules({}))).toBe(plugin);
  });

  it('sends rewritten copies, the same copy again on a retry, and keeps maxInFlight', async () => {
    const { plugin, sent } = recorder();
    const wrapped = withPii(plugin, rules({ userName: 'hash' }));
    expect(wrapped.maxInFlight).toBe(3);
    const batch = [event(), event()];
    await wrapped.send(batch, new AbortController().signal);
    await wrapped.send(batch, new AbortController().signal);
    expect(sent[0]?.[0]?.userName).toBe(hashValue(KEY, 'alice@example.com@tenant.org'));
    expect(sent[1]?.[0]).toBe(sent[0]?.[0]); // a retry: the plugin recognises the event by identity
    expect(batch[0]?.userName).toBe('alice@example.com@tenant.org');
  });

  it('rewrites shared events separately for two plugins (one hashes, one drops)', async () => {
    const a = recorder();
    const b = recorder();
    const shared = [event()];
    await withPii(a.plugin, rules({ userIp: 'hash' })).send(shared, new AbortController().signal);
    await withPii(b.plugin, rules({ userIp: 'drop' })).send(shared, new AbortController().signal);
    expect(a.sent[0]?.[0]?.userIp).toBe(hashValue(KEY, '203.0.113.77'));
    expect(b.sent[0]?.[0]).not.toHaveProperty('userIp');
    expect(shared[0]?.userIp).toBe('203.0.113.77');
  });
});

describe('guardPlugin', () => {
  it('scrubs remembered secrets from the reasons a plugin returns', async () => {
    rememberSecrets(['echoed-backend-secret']);
    const { plugin } = recorder({ status: 'retryable', reason: 'proxy said: bad key echoed-backend-secret' });
    const results = await guardPlugin(plugin, undefined).send([event()], new AbortController().signal);
    expect(results).toEqual([{ status: 'retryable', reason: 'proxy said: bad key <redacted>' }]);
  });

  it("passes the batch's positions through and keeps storedPositions, with and without pii rules", async () => {
    const stored = new Map([['1:2', { offset: 42 }]]);
    const seen: unknown[] = [];
    const plugin: Plugin = {
      start: async () => undefined,
      stop: async () => undefined,
      send: async (batch, _signal, context) => {
        seen.push(context);
        return batch.map(() => ({ status: 'delivered' }) as const);
      },
      storedPositions: async () => stored,
    };
    const context = { positions: stored };
    for (const pii of [undefined, { userIp: 'drop' }] as const) {
      const guarded = guardPlugin(plugin, pii === undefined ? undefined : rules(pii));
      await guarded.send([event()], new AbortController().signal, context);
      expect(await guarded.storedPositions?.()).toBe(stored);
    }
    expect(seen).toEqual([context, context]);
  });
});

describe('credential headers', () => {
  const withHeaders = (): CanonicalEvent => ({
    ...event(),
    properties: {
      apiContext: '/pizzashack/1.0.0',
      requestHeaders: {
        Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig',
        'X-Request-Id': 'r-1',
        Cookie: ['a=1', 'b=2'],
        apikey: 'k-123',
      },
      responseHeaders: { 'Set-Cookie': 'session=abc', 'Content-Type': 'application/json' },
    },
  });

  it('masks the scheme-less and scheme values, each of a list, and keeps other headers', () => {
    const out = piiTransform(rules({ headers: 'mask' }))?.(withHeaders());
    expect(out?.properties?.requestHeaders).toEqual({
      Authorization: 'Bearer ***',
      'X-Request-Id': 'r-1',
      Cookie: ['***', '***'],
      apikey: '***',
    });
    expect(out?.properties?.responseHeaders).toEqual({
      'Set-Cookie': '***',
      'Content-Type': 'application/json',
    });
    expect(maskHeader('basic dXNlcjpwYXNz')).toBe('basic ***');
  });

  it('drops them, names case-insensitively, and * names every header', () => {
    const dropped = piiTransform(rules({ headers: 'drop', headerNames: ['AUTHORIZATION'] }))?.(withHeaders());
    expect(Object.keys(dropped?.properties?.requestHeaders ?? {})).toEqual([
      'X-Request-Id',
      'Cookie',
      'apikey',
    ]);
    const all = piiTransform(rules({ headers: 'drop', headerNames: ['*'] }))?.(withHeaders());
    expect(all?.properties?.requestHeaders).toEqual({});
    expect(all?.properties?.responseHeaders).toEqual({});
  });

  it('hashes with the key, as the other fields, and never changes the input', () => {
    const input = withHeaders();
    const copy = structuredClone(input);
    const out = piiTransform(rules({ headers: 'hash' }))?.(input);
    expect(out?.properties?.requestHeaders).toMatchObject({ apikey: hashValue(KEY, 'k-123') });
    expect(input).toEqual(copy);
  });

  it('needs hashKey when headers are hashed', () => {
    const text =
      'inputs:\n  - paths: ["/var/log/apim_metrics.log"]\nplugins: { file: { pii: { headers: hash } } }\n';
    const loaded = parseConfig(text, { env: {} });
    expect(loaded.ok ? [] : loaded.problems).toMatchObject([{ path: 'plugins.file.pii.hashKey' }]);
  });
});
