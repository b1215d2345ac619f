/** The field table, shared with the OpenSearch plugin: src/search-index/fields.ts. */
export {
  AGGREGATABLE,
  COMPAT_COPIES,
  FIELD_TYPES,
  type FieldType,
  queryableFields,
} from '../../src/search-index/fields.js';
