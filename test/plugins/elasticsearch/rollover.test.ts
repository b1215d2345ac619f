import { describe, expect, it } from 'vitest';
import { classifyItem } from '../../../plugins/elasticsearch/classify.js';
import {
  classifyProbe,
  mayPredateWriteIndex,
  newerThan,
  parseDataStream,
  probeCandidates,
  type StreamLayout,
  toLayout,
  writeIndex,
} from '../../../plugins/elasticsearch/rollover.js';

const MIN = 60_000;
const SKEW = 5 * MIN;
const T0 = Date.UTC(2026, 0, 1);

/** Three generations: 000001 created at T0, 000002 at T0+60 min, 000003 (write) at T0+120 min. */
const layout: StreamLayout = [
  { name: '.ds-s-000001', createdMs: T0 },
  { name: '.ds-s-000002', createdMs: T0 + 60 * MIN },
  { name: '.ds-s-000003', createdMs: T0 + 120 * MIN },
];

describe('which backing indices to probe', () => {
  it('none in steady state: the event is newer than the write index plus the margin', () => {
    expect(mayPredateWriteIndex(layout, T0 + 125 * MIN, SKEW)).toBe(false);
    expect(probeCandidates(layout, T0 + 125 * MIN, SKEW)).toEqual([]);
  });

  it('none before the first rollover, or for a data stream that does not exist yet', () => {
    expect(mayPredateWriteIndex(layout.slice(0, 1), T0 - 600 * MIN, SKEW)).toBe(false);
    expect(mayPredateWriteIndex([], T0, SKEW)).toBe(false);
    expect(writeIndex([])).toBeUndefined();
    expect(writeIndex(layout)).toBe('.ds-s-000003');
  });

  it('within the margin after a rollover: the previous write index', () => {
    expect(mayPredateWriteIndex(layout, T0 + 124 * MIN, SKEW)).toBe(true);
    expect(probeCandidates(layout, T0 + 124 * MIN, SKEW)).toEqual(['.ds-s-000002']);
  });

  it('an old event (a backlog): every index that was the write index at or after its time', () => {
    expect(probeCandidates(layout, T0 + 30 * MIN, SKEW)).toEqual(['.ds-s-000001', '.ds-s-000002']);
    expect(probeCandidates(layout, T0 + 64 * MIN, SKEW)).toEqual(['.ds-s-000001', '.ds-s-000002']);
    expect(probeCandidates(layout, T0 + 66 * MIN, SKEW)).toEqual(['.ds-s-000002']);
    expect(probeCandidates(layout, T0 - 600 * MIN, SKEW)).toEqual(['.ds-s-000001', '.ds-s-000002']);
  });

  it('the margin is the gateway clock running ahead: 0 probes only what ended after the event', () => {
    expect(probeCandidates(layout, T0 + 64 * MIN, 0)).toEqual(['.ds-s-000002']);
    expect(probeCandidates(layout, T0 + 120 * MIN, 0)).toEqual([]);
    expect(probeCandidates(layout, T0 + 119 * MIN, 0)).toEqual(['.ds-s-000002']);
  });

  it('an unparsable time probes everything before the write index', () => {
    expect(mayPredateWriteIndex(layout, Number.NaN, SKEW)).toBe(true);
    expect(probeCandidates(layout, Number.NaN, SKEW)).toEqual(['.ds-s-000001', '.ds-s-000002']);
  });

  it('after a create that landed elsewhere: the indices before the one it landed in', () => {
    expect(probeCandidates(layout, T0 + 30 * MIN, SKEW, '.ds-s-000002')).toEqual(['.ds-s-000001']);
    expect(probeCandidates(layout, T0 + 119 * MIN, SKEW, '.ds-s-000003')).toEqual(['.ds-s-000002']);
    // Landed in an index the layout does not know: every other candidate by the same rule.
    expect(probeCandidates(layout, T0 + 119 * MIN, SKEW, '.ds-s-000009')).toEqual([
      '.ds-s-000002',
      '.ds-s-000003',
    ]);
  });

  it('later generations of an index, for repairs', () => {
    expect(newerThan(layout, '.ds-s-000001')).toEqual(['.ds-s-000002', '.ds-s-000003']);
    expect(newerThan(layout, '.ds-s-000003')).toEqual([]);
    expect(newerThan(layout, 'gone')).toEqual([]);
  });
});

describe('reading the layout', () => {
  it('keeps generation order and takes creation dates from the settings', () => {
    const streams = {
      data_streams: [
        { name: 'other', backing_indices: ['.ds-other-1'] },
        { name: 's', backing_indices: ['.ds-s-000001', 'shrink-.ds-s-000002'] },
      ],
    };
    const names = parseDataStream(streams, 's');
    expect(names).toEqual(['.ds-s-000001', 'shrink-.ds-s-000002']);
    const settings = {
      'shrink-.ds-s-000002': { settings: { 'index.creation_date': String(T0 + 90 * MIN) } },
      '.ds-s-000001': { settings: { 'index.creation_date': String(T0) } },
    };
    expect(toLayout(names, settings)).toEqual([
      { name: '.ds-s-000001', createdMs: T0 },
      { name: 'shrink-.ds-s-000002', createdMs: T0 + 90 * MIN },
    ]);
  });

  it('a missing data stream is an empty layout; a missing date widens the probe', () => {
    expect(parseDataStream({ error: 'x' }, 's')).toEqual([]);
    const widened = toLayout(['a', 'b'], {});
    expect(widened.map((i) => i.createdMs)).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(probeCandidates(widened, T0, SKEW)).toEqual(['a']);
    expect(mayPredateWriteIndex(widened, T0 + 10_000 * MIN, SKEW)).toBe(true);
  });
});

describe('classify', () => {
  it('a probe answer: found, absent, gone (an index deleted or replaced meanwhile), error', () => {
    expect(classifyProbe({ _index: 'a', _id: '1', found: true })).toBe('found');
    expect(classifyProbe({ _index: 'a', _id: '1', found: false })).toBe('absent');
    expect(classifyProbe({ _index: 'a', _id: '1', error: { type: 'index_not_found_exception' } })).toBe(
      'gone',
    );
    expect(
      classifyProbe({ _index: 'a', _id: '1', error: { type: 'no_shard_available_action_exception' } }),
    ).toBe('error');
    expect(classifyProbe(undefined)).toBe('error');
  });

  it('a bulk item keeps the backing index it was written to', () => {
    const item = { status: 201, _index: '.ds-s-000002' };
    expect(classifyItem(item).outcome).toBe('created');
    expect(item._index).toBe('.ds-s-000002');
  });
});
