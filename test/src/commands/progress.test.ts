import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  formatBar,
  formatBytes,
  formatEta,
  formatPlain,
  type ProgressSnapshot,
  startProgress,
} from '../../../src/commands/progress.js';

const half: ProgressSnapshot = {
  bytesDone: 512 * 1024 * 1024,
  bytesTotal: 1024 * 1024 * 1024,
  events: 50_000,
  elapsedMs: 4000,
};

describe('progress display', () => {
  it('draws a bar with bytes, events per second and the time left', () => {
    expect(formatBar(half, 120)).toBe(
      '[############............]   50%  512.0 MiB/1.0 GiB  12.5k events/s  ETA 0:04',
    );
  });

  it('cuts the bar to the terminal width', () => {
    expect(formatBar({ ...half, note: 'retrying elasticsearch: 503' }, 40)).toHaveLength(39);
  });

  it('writes a plain line for logs', () => {
    expect(formatPlain({ ...half, note: 'retrying file: ENOSPC' })).toBe(
      'progress: 50% (512.0 MiB of 1.0 GiB), 50,000 events, 12,500 events/s, ETA 0:04; retrying file: ENOSPC',
    );
  });

  it('shows an unknown ETA before anything is done, and 100% for empty input', () => {
    expect(formatPlain({ bytesDone: 0, bytesTotal: 10, events: 0, elapsedMs: 0 })).toContain('0%');
    expect(formatPlain({ bytesDone: 0, bytesTotal: 10, events: 0, elapsedMs: 0 })).toContain('ETA --:--');
    expect(formatPlain({ bytesDone: 0, bytesTotal: 0, events: 0, elapsedMs: 5 })).toContain('100%');
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [undefined, '--:--'],
    [42, '0:42'],
    [3725, '1:02:05'],
  ])('formats an ETA of %s s as %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });

  it('redraws one line in place on a terminal and erases it when stopped', async () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (d: Buffer) => {
      written += d.toString();
    });
    const progress = startProgress({
      stream,
      tty: true,
      columns: 100,
      intervalMs: 10_000,
      snapshot: () => half,
    });
    await new Promise((r) => setTimeout(r, 450));
    progress.stop();
    const ESC = String.fromCharCode(27);
    const frames = written.split('\r').slice(1);
    expect(frames.at(-1)).toBe(`${ESC}[K`); // erased
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const frame of frames.slice(0, -1)) expect(frame).toMatch(/^\[#+\.+\] {3}50%.*\[K$/);
    expect(written).not.toContain('\n');
  });

  it('prints a plain line every interval and a last one when stopped, off a terminal', async () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (d: Buffer) => {
      written += d.toString();
    });
    const progress = startProgress({ stream, tty: false, intervalMs: 100, snapshot: () => half });
    await new Promise((r) => setTimeout(r, 350));
    progress.stop();
    const lines = written.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.startsWith('progress: 50%'))).toBe(true);
  });
});
