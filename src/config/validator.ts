import { createHash } from 'node:crypto';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { type Config, ConfigSchema } from './schema.js';

/** The generated validator's module, next to this one in dist/ (see ./build-validator.ts). */
export const GENERATED = './config-validator.generated.js';

/** An Ajv instance as gax validates configs with (imported on demand: ~80 ms to load). */
export async function ajvFor(options: Pick<Options, 'code'> = {}): Promise<Ajv> {
  const [{ Ajv }, addFormats] = await Promise.all([import('ajv'), import('ajv-formats')]);
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true, ...options });
  addFormats.default.default(ajv);
  return ajv;
}

/** Identifies the schema a generated validator was built from. */
export function schemaHash(): string {
  return createHash('sha256').update(JSON.stringify(ConfigSchema)).digest('hex').slice(0, 16);
}

/**
 * The config validator: the one `npm run build` generated from this very schema when there is
 * one (loading it takes ~20 ms; compiling the schema at start-up took ~200 ms of every `gax`
 * command), else compiled now (running from source, or a build that skipped the step).
 */
export async function configValidator(): Promise<ValidateFunction<Config>> {
  const specifier: string = GENERATED; // a variable: the module exists in dist/ only
  try {
    const built = (await import(specifier)) as { hash?: string; default?: ValidateFunction<Config> };
    if (built.hash === schemaHash() && typeof built.default === 'function') return built.default;
  } catch {
    // not generated: compile below
  }
  // `code.optimize: false`: ajv's name-optimising pass builds objects keyed by ~1,400 generated
  // variable names, which fills V8's hidden-class transitions from `{}` (1,536 at most) until the
  // first full GC; until then every object built from `{}` gets a hidden class of its own
  // (prom-client's histogram buckets: 8 MiB more heap at 10,000 series). The validator runs once.
  return (await ajvFor({ code: { optimize: false } })).compile<Config>(ConfigSchema);
}
