import { describe, expect, it } from 'vitest';
import { toOpenMetrics } from '../../../src/http/openmetrics.js';

describe('toOpenMetrics', () => {
  it('names counter families without _total, keeps their samples, and ends with # EOF', () => {
    const text = [
      '# HELP apim_requests_total Requests.',
      '# TYPE apim_requests_total counter',
      'apim_requests_total{api="a"} 3',
      '',
      '# HELP apim_request_duration_seconds Latency.',
      '# TYPE apim_request_duration_seconds histogram',
      'apim_request_duration_seconds_bucket{le="+Inf"} 1',
      '',
      '# HELP nodejs_heap_size_total_bytes Heap.',
      '# TYPE nodejs_heap_size_total_bytes gauge',
      'nodejs_heap_size_total_bytes 10',
      '',
    ].join('\n');
    expect(toOpenMetrics(text)).toBe(
      [
        '# HELP apim_requests Requests.',
        '# TYPE apim_requests counter',
        'apim_requests_total{api="a"} 3',
        '# HELP apim_request_duration_seconds Latency.',
        '# TYPE apim_request_duration_seconds histogram',
        'apim_request_duration_seconds_bucket{le="+Inf"} 1',
        '# HELP nodejs_heap_size_total_bytes Heap.',
        '# TYPE nodejs_heap_size_total_bytes gauge',
        'nodejs_heap_size_total_bytes 10',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
});
