import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OtlpConfig } from '../../../plugins/otlp/config.js';
import { OtlpConfigSchema } from '../../../plugins/otlp/index.js';
import { create } from '../../../plugins/otlp/plugin.js';
import type { Plugin } from '../../../src/plugin/contract.js';
import type { EventResult } from '../../../src/plugin/result.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { knownLog } from '../../helpers/es-scenario.js';
import { acceptedUids, type FakeReceiver, lastRequestsTotal, startReceiver } from './receiver.js';

let receiver: FakeReceiver;
let dir: string;
let plugin: Plugin | undefined;
let registry: Registry;
const shutdown = new AbortController();

beforeEach(async () => {
  receiver = await startReceiver();
  dir = await mkdtemp(join(tmpdir(), 'gax-otlp-'));
  registry = new Registry();
});
afterEach(async () => {
  await plugin?.stop(Date.now() + 2000);
  plugin = undefined;
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

function config(extra: Partial<OtlpConfig> = {}): OtlpConfig {
  return {
    ...(Value.Default(OtlpConfigSchema, { enabled: true }) as OtlpConfig),
    endpoint: receiver.url,
    encoding: 'json',
    exportIntervalMs: 100,
    requestTimeoutMs: 1000,
    ...extra,
  };
}

async function started(extra: Partial<OtlpConfig> = {}): Promise<Plugin> {
  plugin = create(config(extra), { id: 'otlp', logger: pino({ level: 'silent' }), registry, stateDir: dir });
  await plugin.start(shutdown.signal);
  return plugin;
}

const log = knownLog(600, { seed: 51, aiRatio: 0.2, variants: false });
const events: CanonicalEvent[] = log.events;
const statuses = (results: readonly EventResult[]) => [...new Set(results.map((r) => r.status))];

describe('otlp plugin against a loopback receiver', () => {
  it('does no I/O on create and may be stopped before start, and twice', async () => {
    const p = create(config(), { id: 'otlp', logger: pino({ level: 'silent' }), registry, stateDir: dir });
    await p.stop(Date.now() + 1000);
    await p.stop(Date.now() + 1000);
    expect(receiver.requests).toHaveLength(0);
  });

  it('acknowledges batches only with the export carrying them: metrics total and one record per event', async () => {
    const p = await started();
    const [a, b] = await Promise.all([
      p.send(events.slice(0, 250), shutdown.signal),
      p.send(events.slice(250), shutdown.signal),
    ]);
    expect(statuses([...a, ...b])).toEqual(['delivered']);
    expect(lastRequestsTotal(receiver.requests)).toBe(events.length);
    expect(acceptedUids(receiver.requests)).toEqual(events.map((e) => e.correlationId));
    const r = receiver.requests[0];
    expect(r?.headers['content-encoding']).toBe('gzip');
    expect(r?.headers['content-type']).toBe('application/json');
  });

  it('sends the configured headers and protobuf bodies', async () => {
    const p = await started({ encoding: 'protobuf', headers: { authorization: 'Bearer t0ken' } });
    expect(statuses(await p.send(events.slice(0, 10), shutdown.signal))).toEqual(['delivered']);
    expect(receiver.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t0ken', 'Bearer t0ken']);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/x-protobuf');
    expect(receiver.requests[0]?.body).toBeInstanceOf(Uint8Array);
  });

  it('passes 429 Retry-After on and counts the retried batch once in the cumulative totals', async () => {
    receiver.script('/v1/metrics', { status: 429, headers: { 'retry-after': '2' } });
    const p = await started();
    const first = await p.send(events, shutdown.signal);
    expect(first.every((r) => r.status === 'retryable' && r.retryAfterMs === 2000)).toBe(true);
    expect(receiver.requests.filter((r) => r.path === '/v1/logs')).toHaveLength(0);
    expect(statuses(await p.send(events, shutdown.signal))).toEqual(['delivered']);
    expect(lastRequestsTotal(receiver.requests)).toBe(events.length);
  });

  it('never sends a smaller cumulative total after an export whose answer was lost', async () => {
    const p = await started({ requestTimeoutMs: 300, signals: { metrics: true, logs: false } });
    expect(statuses(await p.send(events.slice(0, 50), shutdown.signal))).toEqual(['delivered']);
    receiver.script('/v1/metrics', { status: 200, body: '{}', delayMs: 600 });
    const lost = await p.send(events.slice(50, 150), shutdown.signal);
    expect(lost[0]).toMatchObject({ status: 'retryable', reason: expect.stringContaining('timed out') });
    await new Promise((r) => setTimeout(r, 300)); // idle exports meanwhile
    expect(statuses(await p.send(events.slice(50, 200), shutdown.signal))).toEqual(['delivered']);
    const totals = receiver.requests.map((r) => lastRequestsTotal([{ ...r, status: 200 }]) ?? 0);
    expect(totals.slice(0, 2)).toEqual([50, 150]); // the second was stored, though gax never heard back
    expect(totals.every((t, i) => i === 0 || t >= (totals[i - 1] ?? 0))).toBe(true);
    expect(totals.at(-1)).toBe(200);
  });

  it('counts an event once in the metrics when only its log record failed and the batch is retried', async () => {
    receiver.script('/v1/logs', { status: 503, headers: { 'retry-after': 'Mon, 07 Dec 2026 10:00:00 GMT' } });
    const p = await started();
    expect(statuses(await p.send(events, shutdown.signal))).toEqual(['retryable']);
    expect(lastRequestsTotal(receiver.requests)).toBe(events.length);
    expect(statuses(await p.send(events, shutdown.signal))).toEqual(['delivered']);
    expect(lastRequestsTotal(receiver.requests)).toBe(events.length);
    expect(acceptedUids(receiver.requests)).toEqual(events.map((e) => e.correlationId));
  });

  it('sends nothing twice that was accepted: a retried batch re-sends only the failed log requests', async () => {
    const many = knownLog(2500, { seed: 52, variants: false }).events;
    receiver.script('/v1/logs', { status: 200, body: '{}' }, { status: 502 });
    const p = await started();
    const first = await p.send(many, shutdown.signal);
    expect(first.slice(0, 1000).every((r) => r.status === 'delivered')).toBe(true);
    expect(first.slice(1000).every((r) => r.status === 'retryable')).toBe(true);
    await p.send(many.slice(1000), shutdown.signal);
    expect(acceptedUids(receiver.requests)).toEqual(many.map((e) => e.correlationId));
  });

  it('rejects on 400 and dead-letters a logs request the receiver partly rejected', async () => {
    receiver.script('/v1/metrics', { status: 400, body: '{"code":3,"message":"bad"}' });
    const p = await started();
    const bad = await p.send(events.slice(0, 5), shutdown.signal);
    expect(bad[0]).toEqual({ status: 'rejected', reason: 'otlp metrics 400: bad' });
    receiver.script('/v1/logs', {
      status: 200,
      body: '{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"attribute too long"}}',
    });
    const partial = await p.send(events.slice(5, 15), shutdown.signal);
    expect(statuses(partial)).toEqual(['rejected']);
    const text = await registry.metrics();
    expect(text).toContain('gax_otlp_rejected_items_total{plugin="otlp",signal="logs"} 2');
  });

  it('re-sends the cumulative totals when idle, from the same start time', async () => {
    const p = await started({ signals: { metrics: true, logs: false } });
    await p.send(events.slice(0, 20), shutdown.signal);
    const before = receiver.requests.length;
    await new Promise((r) => setTimeout(r, 350));
    const idle = receiver.requests.slice(before);
    expect(idle.length).toBeGreaterThanOrEqual(2);
    expect(lastRequestsTotal(receiver.requests)).toBe(20);
    const starts = new Set(
      receiver.requests.map((r) => JSON.stringify(r.body).match(/"startTimeUnixNano":"(\d+)"/)?.[1]),
    );
    expect(starts.size).toBe(1);
  });

  it('exports deltas that add up to the count', async () => {
    const p = await started({ temporality: 'delta', signals: { metrics: true, logs: false } });
    await p.send(events.slice(0, 100), shutdown.signal);
    await p.send(events.slice(100, 300), shutdown.signal);
    await new Promise((r) => setTimeout(r, 250));
    const totals = receiver.requests.map((r) => lastRequestsTotal([r]) ?? 0);
    expect(totals).toEqual([100, 200]);
  });

  it('sends what waits at once when stopped', async () => {
    const p = await started({ exportIntervalMs: 60_000 });
    const pending = p.send(events.slice(0, 30), shutdown.signal);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests).toHaveLength(0);
    await p.stop(Date.now() + 2000);
    plugin = undefined;
    expect(statuses(await pending)).toEqual(['delivered']);
    expect(lastRequestsTotal(receiver.requests)).toBe(30);
  });
});

describe('otlp plugin bugs', () => {
  it('throws from send (never hangs) when an export cannot be built, and keeps the totals clean', async () => {
    const p = await started({ signals: { metrics: true, logs: false } });
    const broken = { ...events[0] } as CanonicalEvent;
    Object.defineProperty(broken, 'proxyResponseCode', {
      get() {
        throw new Error('boom');
      },
    });
    await expect(p.send([events[1] as CanonicalEvent, broken], shutdown.signal)).rejects.toThrow('boom');
    expect(statuses(await p.send(events.slice(0, 10), shutdown.signal))).toEqual(['delivered']);
    expect(lastRequestsTotal(receiver.requests)).toBe(10);
  });
});
