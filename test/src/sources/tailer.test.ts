import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SavedFile } from '../../../src/sources/checkpoint.js';
import { fingerprintOf } from '../../../src/sources/fingerprint.js';
import { Tailer, type TailerEvent, type TailerOptions } from '../../../src/sources/tailer.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { waitFor } from '../../helpers/daemon.js';

/** The tailer by rotation mechanism: every test names the mechanism and checks each line once. */

let dir: string;
let tailer: Tailer | undefined;
let lines: string[];
let events: TailerEvent[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-tailer-'));
  mkdirSync(join(dir, 'logs'));
  lines = [];
  events = [];
});
afterEach(async () => {
  await tailer?.stop();
  tailer = undefined;
  await rm(dir, { recursive: true, force: true });
});

const log = (name = 'apim_metrics.log') => join(dir, 'logs', name);
/** A line long enough that the first 1 KiB of a file is unique to it. */
const line = (id: string) => `${id} ${'x'.repeat(1100)} ${id}`;
const write = (path: string, ids: string[]) =>
  appendFileSync(path, ids.map((id) => `${line(id)}\n`).join(''));
const ids = () => lines.map((l) => l.split(' ', 1)[0]);

function start(options: Partial<TailerOptions> = {}): Tailer {
  tailer = new Tailer({
    patterns: [log()],
    siblingPatterns: [log('apim_metrics-*.log')],
    from: 'beginning',
    pollIntervalMs: 20,
    partialLineTimeoutMs: 60_000,
    maxLineBytes: 1 << 20,
    onChunk: async (chunk) => {
      for (const l of chunk.lines) lines.push(l.kind === 'line' ? l.text : '<too long>');
    },
    onEvent: (event) => events.push(event),
    logger: silentLogger(),
    ...options,
  });
  tailer.start();
  return tailer;
}

describe('Tailer', () => {
  it('rename-create: drains the renamed file to its end and reads the new file from its start', async () => {
    write(log(), ['a1', 'a2']);
    start();
    await waitFor(() => lines.length === 2);
    renameSync(log(), log('apim_metrics-11-23-2026-1.log'));
    write(log('apim_metrics-11-23-2026-1.log'), ['a3']); // a late write to the renamed file
    write(log(), ['b1', 'b2']);
    await waitFor(() => lines.length === 5);
    expect(ids().sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(events.some((e) => e.kind === 'rotated')).toBe(true);
    // The checkpoint names the renamed file by its new path (found by the fuzz test, seed 1790663662).
    const first = events.find((e) => e.kind === 'tracked');
    expect(events).toContainEqual({
      kind: 'renamed',
      id: first?.kind === 'tracked' ? first.id : '',
      path: log('apim_metrics-11-23-2026-1.log'),
    });
  });

  it('rename-create out of the glob: reads the rotated file to its end, then releases it', async () => {
    write(log(), ['a1']);
    start({ siblingPatterns: [] });
    await waitFor(() => lines.length === 1);
    renameSync(log(), join(dir, 'elsewhere.log'));
    write(join(dir, 'elsewhere.log'), ['a2']);
    write(log(), ['b1']);
    await waitFor(() => lines.length === 3);
    await waitFor(() => tailer?.openFiles === 1);
    expect(ids().sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('copytruncate: continues the copy where the original was left and reads the truncated file from 0', async () => {
    write(log(), ['a1', 'a2']);
    start();
    await waitFor(() => lines.length === 2);
    write(log(), ['a3']); // may not be read from the original before it is truncated
    copyFileSync(log(), log('apim_metrics-11-23-2026-1.log'));
    truncateSync(log(), 0);
    write(log(), ['b1']);
    await waitFor(() => lines.length >= 4, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(ids().sort()).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it('truncate-then-write faster than a poll: notices the new first bytes and reads from 0', async () => {
    write(log(), ['a1']);
    start({ pollIntervalMs: 500 });
    await waitFor(() => lines.length === 1);
    truncateSync(log(), 0);
    write(log(), ['b1', 'b2', 'b3']); // longer than before: size alone would not show it
    await waitFor(() => lines.length === 4, 10_000);
    expect(ids()).toEqual(['a1', 'b1', 'b2', 'b3']);
    expect(events.some((e) => e.kind === 'truncated')).toBe(true);
  });

  it('deleted and recreated: reads the new file from its start', async () => {
    write(log(), ['a1']);
    start();
    await waitFor(() => lines.length === 1);
    truncateSync(log(), 0);
    renameSync(log(), join(dir, 'gone'));
    write(log(), ['b1']);
    await waitFor(() => lines.length === 2);
    expect(ids()).toEqual(['a1', 'b1']);
  });

  it('twins: two files with identical first bytes are both read in full', async () => {
    const shared = ['s1', 's2'];
    write(log(), shared);
    start({ patterns: [join(dir, 'logs', '*.log')], siblingPatterns: [] });
    await waitFor(() => lines.length === 2);
    write(log('twin.log'), shared);
    write(log('twin.log'), ['t3']);
    await waitFor(() => lines.length === 5, 10_000);
    expect(ids().sort()).toEqual(['s1', 's1', 's2', 's2', 't3']);
  });

  it('holds a last line without newline until it is completed', async () => {
    appendFileSync(log(), `${line('a1')}\n${line('a2').slice(0, 500)}`);
    start();
    await waitFor(() => lines.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(lines).toHaveLength(1);
    appendFileSync(log(), `${line('a2').slice(500)}\n`);
    await waitFor(() => lines.length === 2);
    expect(lines[1]).toBe(line('a2'));
  });

  it('hands over a partial last line after the partial-line timeout', async () => {
    appendFileSync(log(), `${line('a1')}\npartial`);
    start({ partialLineTimeoutMs: 200 });
    await waitFor(() => lines.length === 2, 5_000);
    expect(lines[1]).toBe('partial');
  });

  it('starts at the end on a first run with from: end, but reads files that appear later from 0', async () => {
    write(log(), ['old']);
    start({ from: 'end', patterns: [join(dir, 'logs', '*.log')], siblingPatterns: [] });
    await new Promise((r) => setTimeout(r, 100));
    write(log(), ['new']);
    write(log('later.log'), ['later']);
    await waitFor(() => lines.length === 2);
    expect(ids().sort()).toEqual(['later', 'new']);
  });

  it('resumes at the saved offset when the fingerprint still matches', async () => {
    write(log(), ['a1', 'a2']);
    const info = statSync(log());
    const fp = await fingerprintOf(
      await import('node:fs/promises').then((m) => m.open(log(), 'r')),
      info.size,
    );
    const saved = new Map<string, SavedFile>([
      [`${info.dev}:${info.ino}`, { offset: line('a1').length + 1, fingerprint: fp }],
    ]);
    start({ saved, horizon: Date.now() });
    await waitFor(() => lines.length === 1);
    expect(ids()).toEqual(['a2']);
  });

  it('reads a reused inode from 0 when its first bytes differ from the checkpoint', async () => {
    write(log(), ['new1', 'new2']);
    const info = statSync(log());
    const saved = new Map<string, SavedFile>([
      [
        `${info.dev}:${info.ino}`,
        { offset: line('new1').length + 1, fingerprint: { length: 1024, hash: 'not-this-file' } },
      ],
    ]);
    start({ saved, horizon: Date.now() });
    await waitFor(() => lines.length === 2);
    expect(ids()).toEqual(['new1', 'new2']);
  });

  it('leaves rotated siblings older than the checkpoint alone, and reads newer ones', async () => {
    write(log(), ['cur']);
    write(log('apim_metrics-11-22-2026-1.log'), ['history']);
    write(log('apim_metrics-11-23-2026-1.log'), ['rotated-while-stopped']);
    const savedAt = Date.now();
    const past = new Date(savedAt - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(log('apim_metrics-11-22-2026-1.log'), past, past);
    const future = new Date(savedAt + 60_000);
    utimesSync(log('apim_metrics-11-23-2026-1.log'), future, future);
    start({ saved: new Map([['0:0', { offset: 0 }]]), horizon: savedAt });
    await waitFor(() => lines.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(ids().sort()).toEqual(['cur', 'rotated-while-stopped']);
  });

  it('reads a sibling whose time lags the horizon by a coarse clock tick: it may be written after that scan', async () => {
    write(log(), ['cur']);
    write(log('apim_metrics-11-23-2026-1.log'), ['written-as-the-scan-began']);
    const savedAt = Date.now();
    const tick = new Date(savedAt - 8);
    const { utimesSync } = await import('node:fs');
    utimesSync(log('apim_metrics-11-23-2026-1.log'), tick, tick);
    start({ saved: new Map([['0:0', { offset: 0 }]]), horizon: savedAt });
    await waitFor(() => lines.length === 2);
    expect(ids().sort()).toEqual(['cur', 'written-as-the-scan-began']);
  });

  it('follows a log directory that appears after start', async () => {
    await rm(join(dir, 'logs'), { recursive: true });
    start();
    await new Promise((r) => setTimeout(r, 60));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(log(), `${line('late')}\n`);
    await waitFor(() => lines.length === 1);
  });

  it('rename-create between the stat and the open of a scan: reads each file once, by the identity it opened', async () => {
    write(log(), ['a1', 'a2']);
    let rotated = false;
    const { open } = await import('node:fs/promises');
    start({
      openFile: async (path) => {
        if (!rotated && path === log()) {
          rotated = true; // log4j2 rolls over after the scan's stat named the old file
          renameSync(log(), log('apim_metrics-11-23-2026-1.log'));
          write(log(), ['b1', 'b2']);
        }
        return open(path, 'r');
      },
    });
    await waitFor(() => lines.length >= 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(ids().sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('reports a file it cannot open, keeps retrying, and clears the error once it can', async () => {
    write(log(), ['a1']);
    let denied = true;
    const { open } = await import('node:fs/promises');
    const t = start({
      openFile: async (path) => {
        if (denied) throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
        return open(path, 'r');
      },
    });
    await waitFor(() => t.errors.size === 1);
    expect([...t.errors]).toEqual([[log(), 'EACCES']]);
    denied = false;
    await waitFor(() => lines.length === 1);
    expect(t.errors.size).toBe(0);
  });
});
