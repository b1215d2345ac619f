import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import { type PluginType, pluginDefinition, pluginTypes } from '../../src/plugin/registry.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { testEvent } from '../doubles/plugins.js';

/** The lifecycle every plugin must honour (plugin/contract.ts), run over the whole registry. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-contract-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sectionFor(type: PluginType): unknown {
  const yaml = `inputs: [{ paths: [x.log] }]\nstate: { dir: ${JSON.stringify(join(dir, 'state'))} }\nplugins:\n  file: { enabled: true, path: ${JSON.stringify(join(dir, 'out', 'events.ndjson'))} }\n  datadog: { apiKey: test, url: "http://127.0.0.1:9", flushIntervalSeconds: 1 }\n  otlp: { endpoint: "http://127.0.0.1:9", exportIntervalMs: 100 }\n`;
  const loaded = parseConfig(yaml, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config.plugins[type];
}

async function create(type: PluginType, registry = new Registry()): Promise<Plugin> {
  const settings: PluginSettings = {
    id: type,
    logger: silentLogger(),
    registry,
    stateDir: join(dir, 'state'),
  };
  const { create: createInstance } = await pluginDefinition(type).load();
  return (createInstance as (c: unknown, s: PluginSettings) => Plugin)(sectionFor(type), settings);
}

const types = [...pluginTypes];

describe.each(types)('plugin %s', (type) => {
  it('declares its type under the same name it is registered with', () => {
    expect(pluginDefinition(type).type).toBe(type);
  });

  it('does no I/O when created', async () => {
    const registry = new Registry();
    await create(type, registry);
    expect(await readdir(dir)).toEqual([]);
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('can be stopped before it was started, and twice', async () => {
    const plugin = await create(type);
    await plugin.stop(Date.now() + 1000);
    await plugin.stop(Date.now() + 1000);
  });

  it('starts, delivers one result per event, and stops within the deadline', async () => {
    const plugin = await create(type);
    const controller = new AbortController();
    await plugin.start(controller.signal);
    const batch = [testEvent(1), testEvent(2, { eventType: 'faulty' })];
    const results = await plugin.send(batch, controller.signal);
    expect(results).toHaveLength(batch.length);
    const started = Date.now();
    await plugin.stop(Date.now() + 2000);
    expect(Date.now() - started).toBeLessThan(2000);
    await plugin.stop(Date.now() + 2000);
  });
});
