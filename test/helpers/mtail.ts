import { mtailVersion } from '../../bench/lib/mtail.js';
import { ensureDebianPackage } from './apt.js';

/**
 * Makes sure `mtail` (Debian package `mtail`, 3.0.0~rc50 on bookworm) is installed for the bench
 * smoke test of the mtail scenarios; resolves to its version line (test/helpers/apt.ts).
 */
export function ensureMtail(): Promise<string> {
  return ensureDebianPackage('mtail', mtailVersion);
}
