/** mtail (google/mtail), the peer the Prometheus scenarios compare with: where it is and its program. */
import { spawnSync } from 'node:child_process';

/** The binary; Debian package `mtail` (3.0.0~rc50 on bookworm): `apt-get install -y mtail`. */
export const MTAIL = 'mtail';

/** The folder given to `mtail --progs`: it holds `apim.mtail`, the prometheus plugin's metrics. */
export const MTAIL_PROGS = 'bench/mtail';

/** Why a scenario needing mtail is skipped. */
export const MTAIL_MISSING = 'mtail not installed (Debian package `mtail`: apt-get install -y mtail)';

/** mtail's version line, or undefined when `mtail` is not on PATH. */
export function mtailVersion(): string | undefined {
  const r = spawnSync(MTAIL, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n')[0];
}
