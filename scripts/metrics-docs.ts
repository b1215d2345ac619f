/**
 * Every metric gax registers is documented: the daemon's own in docs/metrics.md, each plugin
 * type's (what its definition's `selfMetrics` registers, i.e. what its instances register) in
 * docs/metrics.md or in the plugin's own README.md, so a new plugin documents its metrics in its
 * folder. `npx tsx scripts/metrics-docs.ts` prints what is missing and exits 1;
 * test/src/telemetry/metrics-docs.test.ts runs the same check.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { plugins } from '../plugins/index.js';
import { createSelfMetrics } from '../src/telemetry/metrics.js';

const ROOT = new URL('..', import.meta.url);

/** Metric names: the daemon's own (`''`), then per plugin type, as their registries hold them. */
export async function registeredMetrics(): Promise<Map<string, string[]>> {
  const self = createSelfMetrics({ version: 'docs', defaultMetrics: false });
  const byOwner = new Map([['', self.registry.getMetricsAsArray().map((m) => m.name)]]);
  for (const definition of plugins) {
    const registry = new Registry();
    await definition.selfMetrics?.(registry);
    byOwner.set(
      definition.type,
      registry.getMetricsAsArray().map((m) => m.name),
    );
  }
  return byOwner;
}

/** `name (where it should be documented)` for each metric documented nowhere it may be. */
export async function undocumentedMetrics(): Promise<string[]> {
  const read = (path: string) => readFile(new URL(path, ROOT), 'utf8').catch(() => '');
  const central = await read('docs/metrics.md');
  const missing: string[] = [];
  for (const [type, names] of await registeredMetrics()) {
    const own = type === '' ? '' : await read(`plugins/${type}/README.md`);
    for (const name of names) {
      if (central.includes(`\`${name}\``) || own.includes(`\`${name}\``)) continue;
      missing.push(type === '' ? `${name} (docs/metrics.md)` : `${name} (plugins/${type}/README.md)`);
    }
  }
  return missing;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const missing = await undocumentedMetrics();
  for (const line of missing) console.error(`undocumented metric: ${line}`);
  process.exitCode = missing.length === 0 ? 0 : 1;
}
