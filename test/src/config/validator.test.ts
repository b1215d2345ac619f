/** The config validator `npm run build` generates (src/config/build-validator.ts) against the one compiled at run time. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from '../../../src/config/schema.js';
import { ajvFor, schemaHash } from '../../../src/config/validator.js';

const generatedUrl = new URL('../../../dist/src/config/config-validator.generated.js', import.meta.url);

async function both(): Promise<[ValidateFunction, ValidateFunction]> {
  const generated = (await import(generatedUrl.href)) as { default: ValidateFunction; hash: string };
  expect(generated.hash, 'dist/ was built from this schema').toBe(schemaHash());
  const compiled = (await ajvFor({ code: { optimize: false } })).compile(ConfigSchema);
  return [generated.default, compiled];
}

function outcome(validate: ValidateFunction, data: unknown): unknown {
  const ok = validate(data);
  const errors = (validate.errors ?? []).map((e) => [e.instancePath, e.keyword, e.message, e.params]);
  return { ok, errors, data };
}

const example = readFileSync(fileURLToPath(new URL('../../../config.example.yaml', import.meta.url)), 'utf8');

describe('generated config validator', () => {
  it('accepts, fills defaults and rejects exactly as the compiled schema does', async () => {
    const [generated, compiled] = await both();
    const cases: unknown[] = [
      parse(example),
      { inputs: [{ paths: ['/l/a.log'] }], plugins: { prometheus: { enabled: true } } },
      {
        inputs: [{ paths: [] }],
        plugins: { file: { enabled: 'yes', bogus: 1 } },
        pipeline: { batchMaxEvents: 0 },
      },
      { inputs: 'nope', server: { port: 70_000 }, plugins: { elasticsearch: { node: 'not a url' } } },
    ];
    for (const c of cases) {
      expect(outcome(generated, structuredClone(c))).toEqual(outcome(compiled, structuredClone(c)));
    }
    expect(outcome(compiled, structuredClone(cases[2]))).toMatchObject({ ok: false });
  });
});
