import { describe, expect, it } from 'vitest';
import { type InputFormat, parsers } from '../../../src/parsers/registry.js';

describe('parser registry', () => {
  it('lists wso2-apim as the only input format', () => {
    expect(Object.keys(parsers) satisfies string[]).toEqual(['wso2-apim' satisfies InputFormat]);
  });

  it('hands out the wso2-apim line parser', () => {
    const line = `apimMetrics: apim:faulty, properties :${JSON.stringify({ correlationId: 'c', requestTimestamp: '2025-03-04T09:18:10Z' })}`;
    expect(parsers['wso2-apim'].parseLine(line)).toMatchObject({
      kind: 'event',
      event: {
        eventType: 'faulty',
        correlationId: 'c',
        requestTimestamp: '2025-03-04T09:18:10.000Z',
        properties: {},
      },
    });
  });
});
