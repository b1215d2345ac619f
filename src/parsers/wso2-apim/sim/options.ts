/** Options of the generator: their documentation, defaults and validation. */

/** Options of {@link createGenerator}; every field has a default. */
export interface GeneratorOptions {
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Number of APIs (AI/egress proxies included), popularity Zipf-skewed. @default 50 */
  apis?: number;
  /** Number of subscribed applications. @default 20 */
  applications?: number;
  /** Number of end users. @default 200 */
  users?: number;
  /** Fraction of events that are gateway faults (`apim:faulty`). @default 0.05 */
  faultyRatio?: number;
  /**
   * Fraction of events that go to an AI/egress API; the non-faulty ones carry `aiMetadata` and
   * `aiTokenUsage`, faulty ones only `isEgress`/`subtype`. @default 0.05
   */
  aiRatio?: number;
  /** Epoch ms of the first `requestTimestamp`. @default 2025-03-04T09:00:00Z */
  startTime?: number;
  /** Spacing of `requestTimestamp`s (events per second of simulated traffic). @default 100 */
  eventsPerSecond?: number;
  /** Mix in older/other shapes: 4.2 response with `properties:{}`, 4.1 and 4.2 faulty, APK response. @default false */
  variants?: boolean;
}

export const generatorDefaults = {
  seed: 1,
  apis: 50,
  applications: 20,
  users: 200,
  faultyRatio: 0.05,
  aiRatio: 0.05,
  startTime: Date.UTC(2025, 2, 4, 9, 0, 0),
  eventsPerSecond: 100,
  variants: false,
} as const satisfies Required<GeneratorOptions>;

/** The options with every default filled in; throws a `RangeError` naming the first invalid one. */
export function resolveOptions(options: GeneratorOptions): Required<GeneratorOptions> {
  const o = { ...generatorDefaults, ...definedOnly(options) };
  const check = (ok: boolean, name: string, rule: string): void => {
    if (!ok) throw new RangeError(`generator option ${name} ${rule}`);
  };
  check(Number.isFinite(o.seed), 'seed', 'must be a finite number');
  for (const name of ['apis', 'applications', 'users'] as const) {
    check(Number.isInteger(o[name]) && o[name] >= 1, name, 'must be an integer >= 1');
  }
  for (const name of ['faultyRatio', 'aiRatio'] as const) {
    check(o[name] >= 0 && o[name] <= 1, name, 'must be within [0, 1]');
  }
  check(Number.isFinite(o.startTime), 'startTime', 'must be epoch milliseconds');
  check(Number.isFinite(o.eventsPerSecond) && o.eventsPerSecond > 0, 'eventsPerSecond', 'must be > 0');
  return o;
}

function definedOnly(options: GeneratorOptions): GeneratorOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
