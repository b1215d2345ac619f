import { describe, expect, it } from 'vitest';
import { LINE_TOO_LONG, type ParsedEvent } from '../../../src/parsers/format.js';
import { findFormat, formatOf, formats, REJECT_REASONS } from '../../../src/parsers/index.js';
import { eventOrigin, stampOrigin, withOriginJson } from '../../../src/parsers/origin.js';
import { rotatedSiblings } from '../../../src/route.js';
import { createSelfMetrics, initialiseCounters } from '../../../src/telemetry/metrics.js';

const EVENT_TYPES = ['response', 'faulty'];

describe('input formats (src/parsers/index.ts)', () => {
  it('lists each format once, wso2-apim first (the default of inputs[].format and gax parse)', () => {
    const names = formats.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe('wso2-apim');
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });

  it('finds a format by name and knows no other', () => {
    expect(findFormat('wso2-apim')).toBe(formats[0]);
    expect(findFormat('kong')).toBeUndefined();
    expect(formatOf('wso2-apim').name).toBe('wso2-apim');
  });

  it('initialises gax_lines_rejected_total at 0 for every reason of every format', async () => {
    const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false });
    initialiseCounters(metrics, 'file');
    const values = (await metrics.linesRejected.get()).values;
    const reasons = values.filter((v) => v.labels.plugin === 'file').map((v) => v.labels.reason);
    const declared = new Set(formats.flatMap((f): readonly string[] => f.rejectReasons));
    expect(new Set(reasons)).toEqual(new Set([...declared, LINE_TOO_LONG]));
    expect(new Set(REJECT_REASONS)).toEqual(new Set(reasons));
    expect(values.every((v) => v.value === 0)).toBe(true);
  });
});

describe.each(formats.map((f) => [f.name, f] as const))('format %s', (_name, format) => {
  it('declares its reject reasons (line_too_long among them), skip reasons and event types', () => {
    expect(format.summary.length).toBeGreaterThan(0);
    expect(format.rejectReasons).toContain(LINE_TOO_LONG);
    expect(new Set(format.rejectReasons).size).toBe(format.rejectReasons.length);
    expect(format.skipReasons.length).toBeGreaterThan(0);
    expect(format.eventTypes.length).toBeGreaterThan(0);
    for (const type of format.eventTypes) expect(EVENT_TYPES).toContain(type);
    expect(format.maxLineBytes).toBeGreaterThanOrEqual(1024);
  });

  it('has sample lines that parse into events, covering each of its event types', () => {
    expect(format.samples.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const line of format.samples) {
      const result = format.parser.parseLine(line, { maxLineBytes: format.maxLineBytes });
      expect(result.kind, line.slice(0, 120)).toBe('event');
      const event = (result as ParsedEvent).event;
      expect(event.correlationId.length).toBeGreaterThan(0);
      expect(event.requestTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(event).not.toHaveProperty('gateway'); // stamped by the reader, not the parser
      expect(event).not.toHaveProperty('host');
      seen.add(event.eventType);
    }
    expect([...seen].sort()).toEqual([...format.eventTypes].sort());
  });

  it('serialises each sample event, stamped, to JSON whose value is the stamped event', () => {
    const origin = eventOrigin(format.name, 'gw-1');
    for (const line of format.samples) {
      const result = format.parser.parseLine(line) as ParsedEvent;
      const text = format.eventJson?.(result) ?? JSON.stringify(result.event);
      const stamped = withOriginJson(text, origin);
      stampOrigin(result.event, origin);
      expect(JSON.parse(stamped)).toEqual(result.event);
      expect(result.event).toMatchObject({ gateway: { type: format.name }, host: { name: 'gw-1' } });
    }
  });

  it('answers lines that are not its events with a declared skip or reject reason, never a throw', () => {
    const lines = [
      '',
      '   ',
      'hello world',
      '{',
      '{"a":1}',
      '\u0000\uffff',
      'x'.repeat(format.maxLineBytes + 1),
    ];
    for (const line of lines) {
      const result = format.parser.parseLine(line, { maxLineBytes: format.maxLineBytes });
      if (result.kind === 'skip') expect(format.skipReasons).toContain(result.reason);
      else if (result.kind === 'reject') expect(format.rejectReasons).toContain(result.reason);
      else expect.fail(`"${line.slice(0, 20)}" parsed into an event`);
    }
  });

  it('names the rotated siblings of a single active file, and none for a glob', () => {
    const glob = format.rotatedSiblings('/var/log/gw/access.log');
    if (glob !== undefined) {
      expect(glob).not.toBe('/var/log/gw/access.log');
      expect(glob).toMatch(/[*?[{]/);
    }
    expect(rotatedSiblings(format, ['/var/log/gw/*.log'])).toEqual([]);
  });
});

describe('wso2-apim rotated names', () => {
  it("follows log4j2's pattern: apim_metrics.log → apim_metrics-*.log; nothing for a non-.log path", () => {
    const format = formatOf('wso2-apim');
    expect(
      rotatedSiblings(format, [
        '/opt/wso2/logs/apim_metrics.log',
        '/opt/wso2/logs/*.log',
        '/opt/wso2/metrics.txt',
      ]),
    ).toEqual(['/opt/wso2/logs/apim_metrics-*.log']);
  });
});
