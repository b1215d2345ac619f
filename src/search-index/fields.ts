/**
 * The search-index field of every canonical event key: one table that the index templates (of
 * the Elasticsearch and OpenSearch plugins), the bundled dashboards and their validators all read.
 *
 * Strings are `text` with a `.keyword` sub-field, as dynamic mapping makes them for WSO2's
 * Logstash and Fluent Bit pipelines: WSO2's Kibana exports query `apiName.keyword` and full-text `apiName`, so
 * both must exist. Everything not listed is kept in `_source` but not indexed (`dynamic: false`),
 * so a new WSO2 field can never cause a mapping conflict.
 */
export type FieldType = 'text' | 'keyword' | 'long' | 'double' | 'boolean' | 'date' | 'object';

/** Types Kibana can aggregate on (a `text` field is aggregatable only through `.keyword`). */
export const AGGREGATABLE: ReadonlySet<string> = new Set(['keyword', 'long', 'double', 'boolean', 'date']);

/** Canonical field path → type. `text` implies a `<path>.keyword` sub-field. */
export const FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  '@timestamp': 'date',
  eventType: 'keyword',
  requestTimestamp: 'date',
  correlationId: 'text',
  keyType: 'text',
  apiId: 'text',
  apiType: 'text',
  apiName: 'text',
  apiVersion: 'text',
  apiCreator: 'text',
  apiCreatorTenantDomain: 'text',
  apiMethod: 'text',
  apiContext: 'text',
  apiResourceTemplate: 'text',
  destination: 'text',
  applicationId: 'text',
  applicationName: 'text',
  applicationOwner: 'text',
  regionId: 'text',
  gatewayType: 'text',
  userName: 'text',
  userIp: 'text',
  userAgent: 'text',
  platform: 'text',
  proxyResponseCode: 'long',
  targetResponseCode: 'long',
  responseCacheHit: 'boolean',
  responseLatency: 'double',
  backendLatency: 'double',
  requestMediationLatency: 'double',
  responseMediationLatency: 'double',
  errorType: 'text',
  errorCode: 'long',
  errorMessage: 'text',
  organizationId: 'text',
  environmentId: 'text',
  userAgentHeader: 'text',
  // Stamped by gax on every event (docs/events.md): exact values, filtered and grouped on, never
  // searched as text; ECS spells `host.name` the same way.
  'gateway.type': 'keyword',
  'host.name': 'keyword',
  'properties.userName': 'text',
  'properties.apiContext': 'text',
  'properties.responseSize': 'long',
  'properties.responseContentType': 'text',
  'properties.commonName': 'text',
  'properties.isEgress': 'boolean',
  'properties.subtype': 'text',
  'properties.aiMetadata.vendorName': 'text',
  'properties.aiMetadata.vendorVersion': 'text',
  'properties.aiMetadata.model': 'text',
  'properties.aiTokenUsage.promptTokens': 'long',
  'properties.aiTokenUsage.completionTokens': 'long',
  'properties.aiTokenUsage.totalTokens': 'long',
  'properties.aiTokenUsage.hour': 'long',
  'properties.requestHeaders': 'object',
  'properties.responseHeaders': 'object',
  'properties.mcpAnalytics': 'object',
};

/**
 * WSO2's 2024 Kibana export (v3) spells the AI vendor keys in snake case. The document keeps the
 * canonical camelCase key; the mapping copies its value into these fields (`copy_to`), so both
 * spellings, with their `.keyword` sub-fields, answer queries and aggregations.
 */
export const COMPAT_COPIES: Readonly<Record<string, string>> = {
  'properties.aiMetadata.vendorName': 'properties.aiMetadata.vendor_name',
  'properties.aiMetadata.vendorVersion': 'properties.aiMetadata.vendor_version',
};

/**
 * Every field name a query can use, with the type it has in the index: the canonical paths, the
 * `.keyword` sub-fields of text fields and the snake-case copies.
 */
export function queryableFields(): Map<string, FieldType> {
  const fields = new Map<string, FieldType>();
  const add = (path: string, type: FieldType): void => {
    fields.set(path, type);
    if (type === 'text') fields.set(`${path}.keyword`, 'keyword');
  };
  for (const [path, type] of Object.entries(FIELD_TYPES)) add(path, type);
  for (const [from, to] of Object.entries(COMPAT_COPIES)) add(to, FIELD_TYPES[from] ?? 'text');
  return fields;
}
