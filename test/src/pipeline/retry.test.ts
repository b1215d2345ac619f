import { describe, expect, it } from 'vitest';
import { backoffDelay, deliver, type RetryPolicy } from '../../../src/pipeline/retry.js';
import { DELIVERED, rejected, retryable } from '../../../src/plugin/result.js';
import { FakeClock } from '../../doubles/fake-clock.js';
import { ScriptedPlugin, testEvent } from '../../doubles/plugins.js';

const policy: RetryPolicy = {
  initialIntervalMs: 100,
  maxIntervalMs: 1000,
  multiplier: 2,
  jitter: 0,
  maxElapsedMs: 0,
};
const events = [testEvent(1), testEvent(2), testEvent(3)];

describe('deliver', () => {
  it('resends only the events whose last result was retryable', async () => {
    const plugin = new ScriptedPlugin((event, attempt) =>
      event.correlationId === 'corr-2' && attempt < 3 ? retryable('429') : DELIVERED,
    );
    const clock = new FakeClock();
    const outcomes = await deliver({ plugin, events, policy, signal: new AbortController().signal, clock });
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(plugin.attempts.get('corr-1')).toBe(1);
    expect(plugin.attempts.get('corr-2')).toBe(3);
    expect(plugin.sends).toBe(3);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it("hands every attempt of a batch the batch's positions", async () => {
    const contexts: unknown[] = [];
    const inner = new ScriptedPlugin((_, attempt) => (attempt < 3 ? retryable('503') : DELIVERED));
    const plugin = {
      ...inner,
      start: () => inner.start(),
      stop: () => inner.stop(),
      send: (batch: Parameters<typeof inner.send>[0], _signal: AbortSignal, context?: unknown) => {
        contexts.push(context);
        return inner.send(batch);
      },
    };
    const context = { positions: new Map([['1:2', { offset: 300, path: '/logs/a.log' }]]) };
    const signal = new AbortController().signal;
    await deliver({ plugin, events, policy, signal, clock: new FakeClock(), context });
    expect(contexts).toEqual([context, context, context]);
  });

  it('dead-letters rejected events at once with the backend reason', async () => {
    const plugin = new ScriptedPlugin((event) =>
      event.correlationId === 'corr-3' ? rejected('mapper_parsing_exception') : DELIVERED,
    );
    const outcomes = await deliver({
      plugin,
      events,
      policy,
      signal: new AbortController().signal,
      clock: new FakeClock(),
    });
    expect(outcomes[2]).toEqual({ status: 'dead', kind: 'rejected', reason: 'mapper_parsing_exception' });
    expect(plugin.sends).toBe(1);
  });

  it('waits for the larger of its backoff and the Retry-After hint', async () => {
    const plugin = new ScriptedPlugin((_e, attempt) => (attempt === 1 ? retryable('429', 5000) : DELIVERED));
    const clock = new FakeClock();
    await deliver({ plugin, events, policy, signal: new AbortController().signal, clock });
    expect(clock.sleeps).toEqual([5000]);
  });

  it('caps the backoff at maxIntervalMs', async () => {
    const plugin = new ScriptedPlugin((_e, attempt) => (attempt < 8 ? retryable('503') : DELIVERED));
    const clock = new FakeClock();
    await deliver({ plugin, events: [testEvent(1)], policy, signal: new AbortController().signal, clock });
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('gives up after maxElapsedMs and marks the rest exhausted with the last reason', async () => {
    const plugin = new ScriptedPlugin(() => retryable('503 Service Unavailable'));
    const outcomes = await deliver({
      plugin,
      events: [testEvent(1)],
      policy: { ...policy, maxElapsedMs: 1000 },
      signal: new AbortController().signal,
      clock: new FakeClock(),
    });
    expect(outcomes[0]).toMatchObject({ status: 'dead', kind: 'exhausted' });
    expect((outcomes[0] as { reason: string }).reason).toContain('503 Service Unavailable');
  });

  it('leaves undelivered events aborted, not dead, when stopped', async () => {
    const controller = new AbortController();
    const plugin = new ScriptedPlugin(() => {
      controller.abort();
      return retryable('timeout');
    });
    const outcomes = await deliver({
      plugin,
      events,
      policy,
      signal: controller.signal,
      clock: new FakeClock(),
    });
    expect(outcomes.map((o) => o.status)).toEqual(['aborted', 'aborted', 'aborted']);
  });

  it('treats a plugin that throws as a retryable failure of the whole batch', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const plugin = {
      start: async () => undefined,
      stop: async () => undefined,
      send: async (batch: readonly unknown[]) => {
        calls++;
        if (calls === 1) throw new Error('bug');
        return batch.map(() => DELIVERED);
      },
    };
    const outcomes = await deliver({
      plugin,
      events,
      policy,
      signal: new AbortController().signal,
      clock: new FakeClock(),
      hooks: { onSendError: (err) => errors.push(err) },
    });
    expect(outcomes.every((o) => o.status === 'delivered')).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('treats a wrong number of results as a plugin bug', async () => {
    let calls = 0;
    const plugin = {
      start: async () => undefined,
      stop: async () => undefined,
      send: async (batch: readonly unknown[]) => (++calls === 1 ? [DELIVERED] : batch.map(() => DELIVERED)),
    };
    const outcomes = await deliver({
      plugin,
      events,
      policy,
      signal: new AbortController().signal,
      clock: new FakeClock(),
    });
    expect(calls).toBe(2);
    expect(outcomes.every((o) => o.status === 'delivered')).toBe(true);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 80],
    [1, 0.5, 100],
    [1, 1, 120],
    [3, 0.5, 400],
  ])('spreads retry %i by ±jitter (random %f → %i ms)', (attempt, random, expected) => {
    expect(backoffDelay({ ...policy, jitter: 0.2 }, attempt, () => random)).toBe(expected);
  });
});
