// The cost of each stage on ONE thread (no worker), to split the variants' CPU: `parse` (read +
// split + parse), `send` (+ the prometheus plugin's send), `delta` (+ delta.mjs's recorder, flush
// and apply: what (c) moves between threads), `clone` (+ v8 serialize/deserialize of the events:
// what (b) adds). Prints process CPU s and the ms of flush, apply and clone.
//   GAX_DIST=… node bench/experiments/workers/phases.mjs FILE parse|send|delta|clone
import { deserialize, serialize } from 'node:v8';
import {
  dist,
  loadFormat,
  mainChunks,
  parseChunk,
  processCpuS,
  promClient,
  prometheusSettings,
} from './common.mjs';
import { createDeltaApplier, createDeltaRecorder } from './delta.mjs';

const [file, what] = process.argv.slice(2);
if (file === undefined || !['parse', 'send', 'delta', 'clone'].includes(what)) {
  throw new Error('usage: node phases.mjs FILE parse|send|delta|clone');
}
const { format, origin } = await loadFormat();
const config = prometheusSettings();
const { Registry } = await promClient();
const { silentLogger } = await dist('src/telemetry/logger.js');
const { create } = await dist('plugins/prometheus/plugin.js');
const registry = new Registry();
const plugin = create(config, {
  id: 'prometheus',
  logger: silentLogger(),
  registry,
  stateDir: '/nonexistent',
});
await plugin.start();
const apply = await createDeltaApplier(config, registry, 'prometheus');
const recorder = createDeltaRecorder(config);

const ms = { flush: 0, apply: 0, clone: 0 };
const cpu0 = processCpuS();
for (const c of mainChunks(file)) {
  const events = [];
  const onEvent = what === 'delta' ? (p) => recorder.observe(p.event) : (p) => events.push(p.event);
  parseChunk(c.buf, c.length, c.startOffset, format, origin, onEvent);
  if (what === 'send') await plugin.send(events);
  else if (what === 'delta') {
    const t0 = performance.now();
    const delta = recorder.flush();
    const t1 = performance.now();
    apply(0, delta);
    ms.flush += t1 - t0;
    ms.apply += performance.now() - t1;
  } else if (what === 'clone') {
    const t0 = performance.now();
    deserialize(serialize(events));
    ms.clone += performance.now() - t0;
  }
}
const cpuS = processCpuS() - cpu0;
process.stdout.write(
  `${JSON.stringify({ what, cpuS, ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [`${k}Ms`, Math.round(v)])) })}\n`,
);
