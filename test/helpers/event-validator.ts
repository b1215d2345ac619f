import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CanonicalEventSchema } from '../../src/schema/event.js';

type AddFormats = typeof addFormatsModule.default;

// ajv-formats is CommonJS: under Node's ESM interop the default import is `module.exports`,
// whose `default` is the plugin; other loaders hand over the plugin itself.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

/**
 * An ajv (draft 2020-12, with formats) validator for canonical events. `strict: false` because
 * TypeBox schemas carry keywords ajv does not know. Defaults to the TypeBox schema itself.
 */
export function compileEventValidator(schema: object = CanonicalEventSchema): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
