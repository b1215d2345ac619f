import type { Registry } from 'prom-client';

type Labels = Partial<Record<string, string | number>>;

/** A prom-client metric whose series can be listed and removed (Counter, Gauge, Histogram). */
export interface InstanceMetric {
  get(): Promise<{ readonly name: string; readonly values: readonly { readonly labels: Labels }[] }>;
  remove(labels: Labels): void;
}

/** Per registry and metric name: the plugin instances using the shared metric. */
const holders = new WeakMap<Registry, Map<string, Set<string>>>();

function holdersOf(registry: Registry, name: string): Set<string> {
  let byName = holders.get(registry);
  if (byName === undefined) {
    byName = new Map();
    holders.set(registry, byName);
  }
  let ids = byName.get(name);
  if (ids === undefined) {
    ids = new Set();
    byName.set(name, ids);
  }
  return ids;
}

/**
 * Metric `name` of `registry`, shared by every instance of a plugin type: the first instance
 * registers it with `make(registers)`, later ones (`elasticsearch/archive` beside
 * `elasticsearch`) get the same object and tell their series apart by the `plugin` label.
 * `plugin` is the instance that holds it until {@link releaseShared}; without one (a docs check
 * declaring what instances register) nobody does.
 */
export function sharedMetric<M>(
  registry: Registry,
  name: string,
  make: (registers: Registry[]) => M,
  plugin?: string,
): M {
  if (plugin !== undefined) holdersOf(registry, name).add(plugin);
  return (registry.getSingleMetric(name) as M | undefined) ?? make([registry]);
}

/**
 * Instance `plugin` no longer uses metrics `names`: each one no other instance holds is
 * unregistered, so a registry whose instances all stopped is as before they started.
 */
export function releaseShared(registry: Registry, names: Iterable<string>, plugin: string): void {
  for (const name of names) {
    const ids = holdersOf(registry, name);
    ids.delete(plugin);
    if (ids.size === 0) registry.removeSingleMetric(name);
  }
}

/**
 * Removes the series of instance `plugin` from `metrics` (when it stops), leaving those of other
 * instances of the type, then releases the metrics ({@link releaseShared}).
 */
export async function removeInstanceSeries(
  registry: Registry,
  metrics: readonly InstanceMetric[],
  plugin: string,
): Promise<void> {
  const names: string[] = [];
  for (const metric of metrics) {
    const { name, values } = await metric.get();
    names.push(name);
    const seen = new Set<string>();
    for (const { labels } of values) {
      if (labels.plugin !== plugin) continue;
      // A histogram lists each bucket (`le`); its series is the label set without it.
      const { le: _le, ...series } = labels;
      const key = JSON.stringify(series);
      if (seen.has(key)) continue;
      seen.add(key);
      metric.remove(series);
    }
  }
  releaseShared(registry, names, plugin);
}

/**
 * The self-metrics of one plugin instance: its type's shared metric families (made by
 * `families(registry, plugin)`, registered by the first instance), its own `plugin` label, and
 * the removal of its series when it stops. A plugin's metrics class extends it with the
 * recording methods only.
 */
export class InstanceMetrics<F extends Readonly<Record<string, InstanceMetric>>> {
  protected readonly plugin: string;
  protected readonly families: F;
  readonly #registry: Registry;

  constructor(registry: Registry, plugin: string, families: (registry: Registry, plugin: string) => F) {
    this.#registry = registry;
    this.plugin = plugin;
    this.families = families(registry, plugin);
  }

  /** Removes this instance's series (other instances' stay). */
  remove(): Promise<void> {
    return removeInstanceSeries(this.#registry, Object.values(this.families), this.plugin);
  }
}
