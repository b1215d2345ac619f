import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_PATH, eventJsonSchema, renderEventSchema } from '../../../scripts/gen-event-schema.js';
import { CanonicalEventSchema } from '../../../src/schema/event.js';
import { compileEventValidator } from '../../helpers/event-validator.js';
import { parseFixture, WSO2_APIM_FIXTURES } from '../../helpers/wso2-apim-fixtures.js';

async function committedSchema(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(EVENT_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
}

describe('schemas/event.schema.json', () => {
  it('is exactly what scripts/gen-event-schema.ts generates', async () => {
    expect(await readFile(EVENT_SCHEMA_PATH, 'utf8')).toBe(renderEventSchema());
  });

  it('passes the generator check from the command line', () => {
    const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const script = fileURLToPath(new URL('../../../scripts/gen-event-schema.ts', import.meta.url));
    const result = spawnSync(process.execPath, [tsx, script, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('matches the TypeBox schema field for field', async () => {
    expect(await committedSchema()).toEqual(eventJsonSchema());
  });

  it('documents every field with a description', () => {
    const missing: string[] = [];
    const visit = (schema: Record<string, unknown>, path: string): void => {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, child] of Object.entries(properties)) {
        if (typeof child.description !== 'string' || child.description.length === 0)
          missing.push(`${path}${key}`);
        visit(child, `${path}${key}.`);
      }
    };
    visit(eventJsonSchema(), '');
    expect(missing).toEqual([]);
  });

  it('requires only eventType, requestTimestamp and correlationId, and keeps unknown keys', async () => {
    const schema = await committedSchema();
    expect(schema.required).toEqual(['eventType', 'requestTimestamp', 'correlationId']);
    expect(schema.additionalProperties).toBe(true);
    expect(CanonicalEventSchema.properties.properties.additionalProperties).toBe(true);
  });

  it.each(WSO2_APIM_FIXTURES)('validates every event parsed from %s', async (name) => {
    const validate = compileEventValidator(await committedSchema());
    const { events } = await parseFixture(name);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it.each([
    ['a timestamp without milliseconds', { requestTimestamp: '2025-03-04T09:16:05Z' }],
    ['an unknown eventType', { eventType: 'fault' }],
    ['a string latency', { responseLatency: '3' }],
  ])('rejects an event with %s', async (_name, overrides) => {
    const validate = compileEventValidator(await committedSchema());
    const event = {
      eventType: 'response',
      requestTimestamp: '2025-03-04T09:16:05.000Z',
      correlationId: 'c',
      ...overrides,
    };
    expect(validate(event)).toBe(false);
  });
});
