// Preload (`node --import ./hook.mjs script …`) that measures an unmodified script the way run.mjs
// measures a variant: at exit, one JSON line on stderr with wall s (from this hook's load), main
// thread and process CPU s, peak RSS MiB.
import { mainThreadCpuS, peakRssMiB, processCpuS } from './common.mjs';

const t0 = performance.now();
const main0 = mainThreadCpuS();
const cpu0 = processCpuS();
process.on('exit', () => {
  const wallS = (performance.now() - t0) / 1000;
  const m = {
    wallS,
    mainCpuS: mainThreadCpuS() - main0,
    totalCpuS: processCpuS() - cpu0,
    rssMiB: peakRssMiB(),
  };
  process.stderr.write(`GAXMEASURE ${JSON.stringify(m)}\n`);
});
