import { describe, expect, it } from 'vitest';
import { logItem } from '../../../plugins/datadog/payload.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';

const event: CanonicalEvent = {
  eventType: 'response',
  requestTimestamp: '2026-12-07T08:00:00.000Z',
  correlationId: 'c-1',
  gateway: { type: 'wso2-apim' },
  host: { name: 'gw-7' },
  properties: {},
};

describe('a canonical event as a Datadog log', () => {
  it('takes ddsource from the event’s gateway.type and hostname from its host.name by default', () => {
    const item = logItem(event, { logs: { enabled: true, source: '' } }, []);
    expect(item).toMatchObject({ ddsource: 'wso2-apim', hostname: 'gw-7', service: 'apim-gateway' });
    expect(JSON.parse(item.message)).toEqual(event);
    expect(item.additionalProperties).toEqual({ timestamp: Date.parse(event.requestTimestamp) });
  });

  it('uses logs.source when set, and sends no hostname for an event without host.name', () => {
    const { host: _, ...replayed } = event;
    const item = logItem(replayed, { logs: { enabled: true, source: 'wso2' }, service: 'gw' }, ['env:test']);
    expect(item).toMatchObject({ ddsource: 'wso2', service: 'gw', ddtags: 'env:test' });
    expect(item).not.toHaveProperty('hostname');
  });
});
