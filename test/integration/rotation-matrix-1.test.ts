/**
 * Rotation-correctness matrix, rows 1–4 (docs/operations.md "Rotation-correctness matrix"): the
 * built `gax run` with the file plugin, each row counting the events delivered (distinct
 * correlationIds and output lines) against the events written. SIGSTOP/SIGCONT freezes the
 * daemon where a row needs the rotation to land between two of its polls.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/prometheus.js';
import { createRow, finishRow, metricsText, type Row } from '../helpers/rotation-matrix.js';
import { RotatingWriter, rotatedName, sleep } from '../helpers/tail-harness.js';

let row: Row | undefined;
let writer: RotatingWriter | undefined;

afterEach(async () => {
  writer?.stop();
  writer = undefined;
  await row?.daemons.killAll();
  if (row !== undefined) await rm(row.box.dir, { recursive: true, force: true });
  row = undefined;
});

describe('rotation-correctness matrix (1–4)', () => {
  it('1. rename + create: a writer rotating 8 times a second, and a rotation while the daemon is frozen, deliver every event once', async () => {
    const r = await createRow(101);
    row = r;
    r.append(100);
    const run = r.daemons.start(r.box);
    await r.delivered('the first lines');
    const w = new RotatingWriter(r.box, { seed: 102, linesPerSecond: 1200, rotateEvery: 150 });
    writer = w;
    w.start();
    await sleep(1500);
    w.stop();
    r.want.push(...w.ids);
    await r.delivered();
    // Frozen: lines land in the active file, it is renamed away and a new one written.
    run.child.kill('SIGSTOP');
    r.append(40);
    renameSync(r.box.log, rotatedName(r.box, w.rotations + 1));
    r.append(60);
    run.child.kill('SIGCONT');
    const v = await finishRow('rename + create', r, run);
    expect(w.rotations, 'rotations while running').toBeGreaterThanOrEqual(10);
    expect(v.want).toBeGreaterThan(1900);
  }, 60_000);

  it('2. copytruncate while running: three copy-then-truncate rotations, each with lines the daemon had not read yet, deliver every event once', async () => {
    const r = await createRow(201);
    row = r;
    r.append(100);
    const run = r.daemons.start(r.box);
    await r.delivered('the first lines');
    for (let i = 1; i <= 3; i++) {
      run.child.kill('SIGSTOP');
      r.append(30); // unread when copied: they must come from the copy, once
      copyFileSync(r.box.log, rotatedName(r.box, i));
      truncateSync(r.box.log, 0);
      r.append(50);
      run.child.kill('SIGCONT');
      await r.delivered(`the lines of rotation ${i}`);
    }
    await finishRow('copytruncate', r, run);
  }, 60_000);

  it('3. copytruncate while gax is stopped: the copy resumes at the saved offset, the truncated file restarts at 0', async () => {
    const r = await createRow(301);
    row = r;
    r.append(100);
    const first = r.daemons.start(r.box);
    await r.delivered('the first lines');
    expect(await r.daemons.stop(first), first.output()).toBe(0);
    r.append(40); // written while stopped, then copied away: only the copy holds them
    copyFileSync(r.box.log, rotatedName(r.box, 1));
    truncateSync(r.box.log, 0);
    r.append(60);
    const second = r.daemons.start(r.box);
    await finishRow('copytruncate while stopped', r, second);
  }, 60_000);

  it('4. gzip and delete of rotated files: a gzipped rotated file is not read as new lines (even under a glob that matches it), a deleted one was read first', async () => {
    // A broad glob (apim_metrics*) that also matches the compressed names.
    const port = await freePort();
    const broad = await createRow(401, { paths: (logDir) => [join(logDir, 'apim_metrics*')], port });
    row = broad;
    broad.append(100);
    const run = broad.daemons.start(broad.box);
    await broad.delivered('the first lines');
    for (let i = 1; i <= 3; i++) {
      renameSync(broad.box.log, rotatedName(broad.box, i));
      broad.append(80);
      await broad.delivered(`the lines after rotation ${i}`);
    }
    const rotatedBytes = [1, 2, 3].reduce((n, i) => n + statSync(rotatedName(broad.box, i)).size, 0);
    // logrotate's compress: gzip -1 and -2 (read already); delete -3 (read already).
    for (const i of [1, 2]) {
      const gz = spawnSync('gzip', [rotatedName(broad.box, i)], { encoding: 'utf8' });
      expect(gz.status, gz.stderr).toBe(0);
      expect(existsSync(`${rotatedName(broad.box, i)}.gz`)).toBe(true);
    }
    unlinkSync(rotatedName(broad.box, 3));
    broad.append(50);
    await broad.delivered('the lines after compressing');
    await sleep(500); // many polls: a .gz read as lines would show in the bytes read now
    // Every byte of the logs read once, and nothing else: not a byte of the .gz files.
    const logBytes = rotatedBytes + statSync(broad.box.log).size;
    const read = Number(/^gax_read_bytes_total\{plugin="file"\} (\d+)$/m.exec(await metricsText(port))?.[1]);
    expect(read, 'bytes read (the logs: every byte once)').toBe(logBytes);
    await finishRow('gzip or delete of rotated files', broad, run);
  }, 60_000);
});
