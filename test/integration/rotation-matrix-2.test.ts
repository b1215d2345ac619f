/**
 * Rotation-correctness matrix, rows 5–8 (docs/operations.md "Rotation-correctness matrix"): a
 * rotated file deleted while still being read, inode reuse, files with identical first
 * kilobytes, a file truncated and regrown between polls. The built `gax run`, file plugin,
 * counts of events delivered against events written.
 */
import {
  appendFileSync,
  mkdirSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/daemon.js';
import { createRow, finishRow, type Row, sharedHeader } from '../helpers/rotation-matrix.js';
import { generateLines, readCheckpoint, rotatedName } from '../helpers/tail-harness.js';

let row: Row | undefined;

afterEach(async () => {
  await row?.daemons.killAll();
  if (row !== undefined) await rm(row.box.dir, { recursive: true, force: true });
  row = undefined;
});

/** The inode of `path`. */
function inode(path: string): number {
  return statSync(path).ino;
}

/**
 * Deletes `path` and creates it empty again, on the freed inode when the filesystem hands it
 * out (ext4 does, to one of the next few files created): true when it did.
 */
function recreateOnSameInode(path: string): boolean {
  const old = inode(path);
  unlinkSync(path);
  const probes: string[] = [];
  let reused = false;
  for (let i = 0; i < 64 && !reused; i++) {
    const probe = `${path}.probe-${i}`;
    writeFileSync(probe, '');
    reused = inode(probe) === old;
    if (reused) renameSync(probe, path);
    else probes.push(probe);
  }
  for (const probe of probes) unlinkSync(probe);
  if (!reused) writeFileSync(path, '');
  return reused;
}

describe('rotation-correctness matrix (5–8)', () => {
  it('5. a rotated file deleted while still being read: the open descriptor is read to its end', async () => {
    const r = await createRow(501);
    row = r;
    r.append(100);
    const run = r.daemons.start(r.box);
    await r.delivered('the first lines');
    // Frozen with 1,500 unread lines (~1.5 MB): rotated away and deleted before gax reads them.
    run.child.kill('SIGSTOP');
    r.append(1500);
    renameSync(r.box.log, rotatedName(r.box, 1));
    unlinkSync(rotatedName(r.box, 1));
    r.append(100);
    run.child.kill('SIGCONT');
    await finishRow('rotated file deleted while being read', r, run);
  }, 60_000);

  it('6. inode reuse: delete + recreate while running (unread lines in the deleted file) and while stopped (the same inode, another file) lose nothing, repeat nothing', async () => {
    const r = await createRow(601);
    row = r;
    r.append(100);
    const first = r.daemons.start(r.box);
    await r.delivered('the first lines');
    first.child.kill('SIGSTOP');
    r.append(30); // unread, in the file about to be deleted: read through the open descriptor
    unlinkSync(r.box.log);
    r.append(50);
    first.child.kill('SIGCONT');
    await r.delivered('the lines of the recreated file');
    expect(await r.daemons.stop(first), first.output()).toBe(0);

    // Stopped: delete and recreate at once; the filesystem (ext4) hands the freed inode out again.
    const reused = recreateOnSameInode(r.box.log);
    // Not reused (tmpfs, …): rewrite in place, which is what a reused inode looks like to gax.
    if (!reused) truncateSync(r.box.log, 0);
    const id = `${statSync(r.box.log).dev}:${inode(r.box.log)}`;
    // gax starts on the empty new file and stops before a line comes: the checkpoint must not
    // keep the old file's offset beside the new file's fingerprint.
    const second = r.daemons.start(r.box);
    await waitFor(
      () => readCheckpoint(r.box)?.plugins.file?.files[id]?.fingerprint?.length === 0,
      10_000,
      'the empty file in the checkpoint',
    );
    expect(await r.daemons.stop(second), second.output()).toBe(0);
    r.append(200); // past the old file's offset
    const third = r.daemons.start(r.box);
    const v = await finishRow(`inode reuse (same inode: ${reused})`, r, third);
    expect(v.want).toBe(380);
  }, 60_000);

  it('7. two files with identical first kilobytes: each is read in full once, while running and across a restart', async () => {
    const gw = (dir: string, n: number): string => join(dir, `logs-gw${n}`, 'apim_metrics.log');
    const r = await createRow(701, { extraPaths: (dir) => [gw(dir, 2), gw(dir, 3)] });
    row = r;
    const header = sharedHeader(12); // ~1.3 KiB of identical start-up lines
    const gw2 = gw(r.box.dir, 2);
    const gw3 = gw(r.box.dir, 3);
    for (const path of [r.box.log, gw2, gw3]) mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(r.box.log, header);
    r.append(50);
    const first = r.daemons.start(r.box);
    await r.delivered('the first file');
    writeFileSync(gw2, header); // a twin appears while running
    r.append(50, gw2);
    r.append(20);
    await r.delivered('the twin that appeared while running');
    expect(await r.daemons.stop(first), first.output()).toBe(0);

    r.append(30);
    r.append(30, gw2);
    writeFileSync(gw3, header); // a third twin appears while stopped
    r.append(40, gw3);
    const second = r.daemons.start(r.box);
    await finishRow('identical first KiB', r, second);
  }, 60_000);

  it('8. a file truncated and regrown between polls (past its old size, and to exactly its old size) is read again from 0', async () => {
    const r = await createRow(801);
    row = r;
    r.append(50);
    const run = r.daemons.start(r.box);
    await r.delivered('the first lines');
    run.child.kill('SIGSTOP');
    const oldSize = statSync(r.box.log).size;
    truncateSync(r.box.log, 0);
    r.append(80);
    expect(statSync(r.box.log).size).toBeGreaterThan(oldSize);
    run.child.kill('SIGCONT');
    await r.delivered('the lines after the first truncation');

    // To exactly the old size: new lines, then a non-event line padding to the old length.
    run.child.kill('SIGSTOP');
    const size = statSync(r.box.log).size;
    truncateSync(r.box.log, 0);
    let lines = generateLines(r.gen, 1);
    let text = '';
    while (Buffer.byteLength(text + lines.text) + 80 < size) {
      text += lines.text;
      r.want.push(...lines.ids);
      lines = generateLines(r.gen, 1);
    }
    const pad = size - Buffer.byteLength(text) - 1;
    appendFileSync(r.box.log, `${text}${'#'.repeat(pad)}\n`);
    expect(statSync(r.box.log).size).toBe(size);
    run.child.kill('SIGCONT');
    await finishRow('truncated and regrown', r, run);
  }, 60_000);
});
