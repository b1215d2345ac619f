/**
 * The loopback Datadog stand-in's log pipelines (`/api/v1/logs/config/pipelines`): bodies checked
 * against Datadog's `LogsPipeline` schema, keys required, stored and replaced like Datadog does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatadogReceiver, startDatadogReceiver } from './datadog-receiver.js';

const API_KEY = 'pipelines-api-key';
const APP_KEY = 'pipelines-app-key';
const PATH = '/api/v1/logs/config/pipelines';
let receiver: DatadogReceiver;

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: API_KEY, appKey: APP_KEY });
});
afterAll(async () => {
  await receiver?.close();
});

function call(method: string, path: string, body?: unknown, appKey = APP_KEY): Promise<Response> {
  return fetch(`${receiver.url}${path}`, {
    method,
    headers: { 'dd-api-key': API_KEY, 'dd-application-key': appKey, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const valid = {
  name: 'p',
  is_enabled: true,
  filter: { query: 'source:apim_node' },
  processors: [{ type: 'date-remapper', name: 'd', is_enabled: true, sources: ['requestTimestamp'] }],
};

describe('datadog receiver: log pipelines', () => {
  it('creates, lists, gets and replaces a pipeline, adding what Datadog adds', async () => {
    const created = await call('POST', PATH, valid);
    expect(created.status).toBe(200);
    const stored = (await created.json()) as { id: string };
    expect(stored).toMatchObject({ ...valid, is_read_only: false, type: 'pipeline' });
    expect((await (await call('GET', PATH)).json()) as unknown[]).toEqual([stored]);
    const replaced = await call('PUT', `${PATH}/${stored.id}`, { ...valid, processors: [] });
    expect(replaced.status).toBe(200);
    expect(await (await call('GET', `${PATH}/${stored.id}`)).json()).toMatchObject({
      id: stored.id,
      processors: [],
    });
    expect(receiver.pipelines.size).toBe(1);
  });

  it('refuses a body that breaks the schema, and a wrong application key', async () => {
    const before = receiver.pipelines.size;
    const bad = await call('POST', PATH, { ...valid, processors: [{ type: 'grok-parser', name: 'g' }] });
    expect(bad.status).toBe(400);
    expect(receiver.requests.at(-1)?.problems.join('\n')).toMatch(/grok|source/);
    expect((await call('POST', PATH, { is_enabled: true })).status).toBe(400);
    expect((await call('GET', PATH, undefined, 'wrong')).status).toBe(403);
    expect(receiver.pipelines.size).toBe(before);
  });
});
