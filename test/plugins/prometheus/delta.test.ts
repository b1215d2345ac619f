import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createDeltaRecorder,
  type DeltaRecorderOptions,
  deltaTransferList,
  type PrometheusDelta,
} from '../../../plugins/prometheus/delta.js';
import { OPTIONAL_LABELS } from '../../../plugins/prometheus/mapping.js';
import { PrometheusPlugin } from '../../../plugins/prometheus/plugin.js';
import { parseConfig } from '../../../src/config/load.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../../src/parsers/wso2-apim/sim/generate.js';
import { createRandom, type Random } from '../../../src/parsers/wso2-apim/sim/random.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { testEvent } from '../../doubles/plugins.js';
import { fuzzCorpus } from '../../helpers/fuzz-lines.js';

type Section = ReturnType<typeof config>;

function config(yaml = '') {
  const loaded = parseConfig(`inputs: [{ paths: [x.log] }]\nplugins:\n  prometheus:\n${yaml}`, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config.plugins.prometheus;
}

/** `count` generated events of every shape (older versions, AI, faults, cache hits). */
function generated(
  seed: number,
  count: number,
  ratios = { aiRatio: 0.1, faultyRatio: 0.1 },
): CanonicalEvent[] {
  const generator = createGenerator({ seed, variants: true, apis: 40, ...ratios });
  const events: CanonicalEvent[] = [];
  while (events.length < count) {
    const result = parseLine(generator.next());
    if (result.kind === 'event') events.push(result.event);
  }
  return events;
}

/** The events the fuzz corpus's lines parse to: hostile values, odd numbers, huge strings. */
function fuzzed(seed: number, lines: number): CanonicalEvent[] {
  return fuzzCorpus({ seed, count: lines, maxLineBytes: 1 << 20 }).flatMap(({ bytes }) => {
    const result = parseLine(bytes.toString('utf8'), { maxLineBytes: 1 << 20 });
    return result.kind === 'event' ? [result.event] : [];
  });
}

/** Token counts that are not whole (and some of exactly 1), so counter sums depend on their order. */
function oddTokens(events: readonly CanonicalEvent[], r: Random): CanonicalEvent[] {
  return events.map((e) => {
    const usage = e.properties?.aiTokenUsage;
    if (usage === undefined) return e;
    const draw = () => (r.chance(0.3) ? 1 : r.float() * 1000);
    const aiTokenUsage = { ...usage, promptTokens: draw(), completionTokens: draw() };
    return { ...e, properties: { ...e.properties, aiTokenUsage } };
  });
}

const settings = (registry: Registry) => ({
  id: 'prometheus',
  logger: silentLogger(),
  registry,
  stateDir: '/nonexistent',
});

/** (a) `/metrics` after `send(events)` on one instance. */
async function viaSend(section: Section, events: readonly CanonicalEvent[]): Promise<string> {
  const registry = new Registry();
  const plugin = new PrometheusPlugin(section, settings(registry));
  await plugin.start();
  await plugin.send(events);
  return registry.metrics();
}

interface Split {
  readonly seed: number;
  /** After this many chunks, source 1 restarts: forgotten, and a fresh recorder takes its place. */
  readonly forgetAt?: number;
  /** Apply the deltas in an order other than the events' (to show the comparison can fail). */
  readonly swapPairs?: boolean;
  readonly recorder?: DeltaRecorderOptions;
  /** Chunk sizes to use first (then 1–300 at random). */
  readonly chunks?: readonly number[];
}

type Step = { readonly source: number; readonly delta?: PrometheusDelta; readonly events?: number };

/**
 * (b) `/metrics` after the same events cut in chunks of 1–300 events, recorded alternately by two
 * recorders (sources 0 and 1, as two parse workers), each delta cloned across a "thread
 * boundary" with its buffers transferred, and applied in chunk order on a second instance.
 */
async function viaDeltas(section: Section, events: readonly CanonicalEvent[], split: Split): Promise<string> {
  const recorders = [
    createDeltaRecorder(section, split.recorder),
    createDeltaRecorder(section, split.recorder),
  ];
  const r = createRandom(split.seed);
  const steps: Step[] = [];
  for (let at = 0, chunk = 0; at < events.length; chunk++) {
    if (chunk === split.forgetAt) {
      steps.push({ source: 1 }); // forget
      recorders[1] = createDeltaRecorder(section, split.recorder);
    }
    const source = chunk % 2;
    const recorder = recorders[source]!;
    const end = Math.min(events.length, at + (split.chunks?.[chunk] ?? 1 + r.int(300)));
    const count = end - at;
    for (; at < end; at++) recorder.observe(events[at]!);
    const delta = recorder.flush();
    const moved = structuredClone(delta, { transfer: deltaTransferList(delta) });
    expect(delta.ops.byteLength).toBe(0); // transferred, not copied
    steps.push({ source, delta: moved, events: count });
  }
  if (split.swapPairs === true) {
    for (let i = 0; i + 1 < steps.length; i += 2) steps.splice(i, 2, steps[i + 1]!, steps[i]!);
  }
  const registry = new Registry();
  const plugin = new PrometheusPlugin(section, settings(registry));
  await plugin.start();
  for (const { source, delta, events: count } of steps) {
    if (delta === undefined) {
      plugin.forgetSource(source);
      continue;
    }
    const results = await plugin.sendPrepared(source, delta);
    expect(results).toHaveLength(count ?? -1);
    expect(results.every((x) => x.status === 'delivered')).toBe(true);
  }
  return registry.metrics();
}

async function expectSame(yaml: string, events: readonly CanonicalEvent[], split: Split): Promise<string> {
  const section = config(yaml);
  const expected = await viaSend(section, events);
  const actual = await viaDeltas(section, events, split);
  expect(firstDifference(actual, expected)).toBeUndefined();
  expect(actual).toBe(expected);
  return expected;
}

/** The first line where `actual` and `expected` differ, both versions, for a readable failure. */
function firstDifference(actual: string, expected: string): string | undefined {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i + 1}: deltas ${JSON.stringify(a[i])}, send() ${JSON.stringify(e[i])}`;
  }
  return undefined;
}

describe('prometheus deltas (the worker path)', () => {
  it('make the /metrics send() makes, with the default settings', async () => {
    const text = await expectSame('', generated(1, 6_000), { seed: 11 });
    expect(text).toContain('apim_request_duration_seconds_sum{');
    expect(text).toContain('apim_cache_hits_total{');
  });

  it('overflow and cut label values as send() does, counted per observation', async () => {
    const yaml =
      '    maxSeriesPerMetric: 20\n    maxLabelValueLength: 16\n    labels: { application: true, user: true }\n';
    const events = [...generated(2, 3_000), ...fuzzed(2, 3_000)];
    const text = await expectSame(yaml, events, { seed: 12 });
    expect(text).toMatch(/apim_requests_total\{api="__overflow__"/);
    expect(text).toMatch(/gax_prometheus_series_overflow_total\{metric="apim_requests_total"\} [1-9]/);
    expect(text).toMatch(
      /gax_prometheus_label_values_truncated_total\{metric="apim_requests_total",label="\w+"\} [1-9]/,
    );
  });

  it('make what send() makes with every opt-in label and semconv.http on', async () => {
    const on = Object.values(OPTIONAL_LABELS).map((key) => `${key}: true`);
    const yaml = `    labels: { ${on.join(', ')} }\n    semconv: { http: true }\n    maxSeriesPerMetric: 50\n`;
    const text = await expectSame(yaml, [...generated(4, 3_000), ...fuzzed(4, 1_000)], { seed: 14 });
    expect(text).toContain('http_server_request_duration_seconds_bucket{');
    expect(text).toMatch(/apim_requests_total\{[^}]*user_agent="/);
  });

  it('stay exact when recorders forget their tuples often (bounded worker memory)', async () => {
    const yaml =
      '    maxSeriesPerMetric: 30\n    maxLabelValueLength: 16\n    labels: { application: true, user: true }\n';
    await expectSame(yaml, [...fuzzed(3, 2_000), ...generated(3, 3_000)], {
      seed: 13,
      recorder: { maxTuples: 5 },
    });
  });

  it.each([
    ['application only', '    labels: { application: true, user: false }\n'],
    ['user only', '    labels: { application: false, user: true }\n'],
    ['neither (the default, said)', '    labels: { application: false, user: false }\n'],
  ])('follow the optional labels: %s', async (_name, yaml) => {
    await expectSame(yaml, generated(4, 4_000), { seed: 14 });
  });

  it('keep only the allowed labels of a metric, under another metricPrefix', async () => {
    const yaml = [
      '    metricPrefix: gw',
      '    labels: { application: true, user: true }',
      '    allowLabels:',
      '      gw_requests_total: [api, status_code, user]',
      '      gw_request_duration_seconds: [api]',
      '      gw_cache_hits_total: []',
      '',
    ].join('\n');
    const text = await expectSame(yaml, generated(5, 4_000), { seed: 15 });
    expect(text).toMatch(/^gw_requests_total\{api="[^"]*",status_code="\d*",user="[^"]*"\} \d+$/m);
    expect(text).toMatch(/^gw_cache_hits_total \d+$/m);
  });

  it('count AI tokens (whole, fractional, 1) and faults as send() does', async () => {
    const events = oddTokens(generated(6, 5_000, { aiRatio: 0.4, faultyRatio: 0.3 }), createRandom(6));
    const text = await expectSame('    maxSeriesPerMetric: 40\n', events, { seed: 16 });
    expect(text).toMatch(/^apim_ai_tokens_total\{[^}]*token_type="prompt"\} \d+\.\d+$/m);
    expect(text).toMatch(/^apim_errors_total\{[^}]*\} [1-9]/m);
  });

  it('add tokens of 1 one by one, as send() does, to a count past 2^53', async () => {
    const ai = (n: number, promptTokens: number, model = 'm') =>
      testEvent(n, {
        properties: { aiMetadata: { vendorName: 'v', model }, aiTokenUsage: { promptTokens } },
      } as Partial<CanonicalEvent>);
    // Source 0 has seen a count other than 1 (its values go one by one); source 1 has not (it
    // sends its 1s as one sum): 2^53 + 1 + 1 + 1 is 2^53 in floating point, 2^53 + 3 is not.
    // The last chunk (source 0) has 1s after 2^53 in one chunk: they must not be summed first.
    const events = [ai(1, 2 ** 53), ai(2, 1), ai(3, 1), ai(4, 1), ai(5, 0.5), ai(6, 1), ai(7, 1)];
    events.push(ai(8, 2 ** 53, 'n'), ai(9, 1, 'n'), ai(10, 1, 'n'));
    const text = await expectSame('', events, { seed: 19, chunks: [1, 3, 1, 2, 3] });
    const tokens = (model: string) =>
      `apim_ai_tokens_total{api="OrdersAPI",vendor="v",model="${model}",token_type="prompt"}`;
    expect(text).toContain(`${tokens('m')} 9007199254740992\n`);
    expect(text).toContain(`${tokens('n')} 9007199254740992\n`);
  });

  it('make the same /metrics after a worker restarts and its source is forgotten', async () => {
    const yaml = '    maxSeriesPerMetric: 25\n    maxLabelValueLength: 16\n';
    await expectSame(yaml, [...generated(7, 3_000), ...fuzzed(7, 2_000)], { seed: 17, forgetAt: 9 });
  });

  it('differ from send() when applied out of event order (the comparison can fail)', async () => {
    const section = config('    maxSeriesPerMetric: 20\n');
    const events = generated(8, 3_000);
    const swapped = await viaDeltas(section, events, { seed: 18, swapPairs: true });
    expect(swapped).not.toBe(await viaSend(section, events));
  });

  it('answer one delivered per event observed', async () => {
    const section = config();
    const plugin = new PrometheusPlugin(section, settings(new Registry()));
    await expect(plugin.sendPrepared(0, createDeltaRecorder(section).flush())).rejects.toThrow(
      /before start/,
    );
    await plugin.start();
    const recorder = createDeltaRecorder(section);
    for (const event of generated(9, 7)) recorder.observe(event);
    const results = await plugin.sendPrepared(0, recorder.flush());
    expect(results).toEqual(Array.from({ length: 7 }, () => ({ status: 'delivered' })));
    expect(recorder.flush()).toMatchObject({ defs: [], observed: 0 });
    await plugin.stop();
  });

  it('refuse a tuple id the source never defined (a forgotten worker)', async () => {
    const section = config();
    const plugin = new PrometheusPlugin(section, settings(new Registry()));
    await plugin.start();
    const recorder = createDeltaRecorder(section);
    const [event] = generated(10, 1);
    recorder.observe(event!);
    await plugin.sendPrepared(1, recorder.flush());
    plugin.forgetSource(1);
    recorder.observe(event!);
    await expect(plugin.sendPrepared(1, recorder.flush())).rejects.toThrow(/source 1: no series/);
    await plugin.stop();
  });
});
