import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** How many leading bytes identify a file's content. WSO2 lines are ~1 KB and start unique. */
export const FINGERPRINT_BYTES = 1024;

/** Hash of a file's first `length` bytes (`length` < FINGERPRINT_BYTES while the file is small). */
export interface Fingerprint {
  readonly length: number;
  readonly hash: string;
}

/**
 * The fingerprint of the first `min(size, max)` bytes, read without moving any file position.
 * Each call reads into its own buffer: every plugin's reader fingerprints the same files at the
 * same moments (start-up, rotation, a reload), and a shared one would be overwritten by another
 * call's read in flight, giving a file another's fingerprint (then a checkpointed file looks new
 * and is read again from its start).
 */
export async function fingerprintOf(
  handle: FileHandle,
  size: number,
  max = FINGERPRINT_BYTES,
): Promise<Fingerprint> {
  const want = Math.min(size, max);
  const scratch = Buffer.allocUnsafe(want);
  let got = 0;
  while (got < want) {
    const { bytesRead } = await handle.read(scratch, got, want - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return {
    length: got,
    hash: createHash('sha256').update(scratch.subarray(0, got)).digest('hex').slice(0, 32),
  };
}

/** Whether the file behind `handle` still starts with the bytes `expected` was taken from. */
export async function stillMatches(
  handle: FileHandle,
  size: number,
  expected: Fingerprint,
): Promise<boolean> {
  if (size < expected.length) return false;
  const now = await fingerprintOf(handle, size, expected.length);
  return now.length === expected.length && now.hash === expected.hash;
}

export function sameFingerprint(a: Fingerprint | undefined, b: Fingerprint | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.hash === b.hash;
}

/** A fingerprint long enough to tell real content apart (short files share headers too easily). */
export function isFull(fp: Fingerprint | undefined): boolean {
  return fp !== undefined && fp.length >= FINGERPRINT_BYTES;
}
