/**
 * Rotation-correctness matrix, rows 9–10 (docs/operations.md "Rotation-correctness matrix"): a
 * symlinked active file switched to a new target, and a log directory that disappears and
 * returns. The built `gax run`, file plugin, counts of events delivered against events written.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRow, finishRow, type Row } from '../helpers/rotation-matrix.js';

let row: Row | undefined;

afterEach(async () => {
  await row?.daemons.killAll();
  if (row !== undefined) await rm(row.box.dir, { recursive: true, force: true });
  row = undefined;
});

/** Points the symlink `link` at `target` atomically (`ln -sfn`: a new link renamed over it). */
function switchLink(link: string, target: string): void {
  const next = `${link}.next`;
  symlinkSync(target, next);
  renameSync(next, link);
}

describe('rotation-correctness matrix (9–10)', () => {
  it('9. a symlinked active file switched to a new target: the old target is read to its end, the new one from 0', async () => {
    const r = await createRow(901, { paths: (logDir) => [join(logDir, 'current.log')] });
    row = r;
    const link = join(r.box.logDir, 'current.log');
    const target = (i: number): string => join(r.box.logDir, `app-${i}.log`);
    writeFileSync(target(1), '');
    switchLink(link, 'app-1.log');
    r.append(100, target(1));
    const run = r.daemons.start(r.box);
    await r.delivered('the first target');
    for (let i = 2; i <= 4; i++) {
      // Frozen: the old target gets lines nobody has read when the link moves on.
      run.child.kill('SIGSTOP');
      r.append(30, target(i - 1));
      writeFileSync(target(i), '');
      switchLink(link, `app-${i}.log`);
      r.append(50, target(i));
      run.child.kill('SIGCONT');
      await r.delivered(`the lines around switch ${i}`);
    }
    const v = await finishRow('symlink switched to a new target', r, run);
    expect([v.lost, v.duplicates], 'lost, duplicated').toEqual([0, 0]);
  }, 60_000);

  it('10. a log directory removed and recreated, and one moved away and back, loses nothing', async () => {
    const r = await createRow(1001);
    row = r;
    r.append(100);
    const run = r.daemons.start(r.box);
    await r.delivered('the first lines');
    // Removed (rm -rf) with lines gax has not read yet, then recreated with a new log.
    run.child.kill('SIGSTOP');
    r.append(40);
    rmSync(r.box.logDir, { recursive: true });
    run.child.kill('SIGCONT');
    await r.delivered('the lines of the removed directory');
    mkdirSync(r.box.logDir);
    r.append(60);
    await r.delivered('the lines of the recreated directory');
    // Moved away (a volume unmounted, a directory renamed), written to there, moved back.
    const away = `${r.box.logDir}.away`;
    renameSync(r.box.logDir, away);
    r.append(30, join(away, 'apim_metrics.log'));
    await r.delivered('the lines written while the directory was away');
    renameSync(away, r.box.logDir);
    r.append(30);
    const v = await finishRow('directory disappears and returns', r, run);
    expect([v.lost, v.duplicates], 'lost, duplicated').toEqual([0, 0]);
  }, 60_000);
});
