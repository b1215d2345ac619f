/** Builds WSO2 `apim_metrics.log` lines for tests: valid response/faulty lines and broken ones. */

const PREFIX = '08:23:34,898 [-] [PassThroughMessageProcessor-188]  INFO ELKCounterMetric apimMetrics: ';

/** The response event of WSO2's Datadog guide sample line (docs-apim), as its JSON object. */
export const SAMPLE_RESPONSE = {
  apiName: 'PizzaShackAPI',
  proxyResponseCode: 200,
  destination: 'https://localhost:9443/am/sample/pizzashack/v1/api/',
  apiCreatorTenantDomain: 'carbon.super',
  platform: 'Other',
  apiMethod: 'GET',
  apiVersion: '1.0.0',
  gatewayType: 'SYNAPSE',
  apiCreator: 'admin',
  responseCacheHit: false,
  backendLatency: 3,
  correlationId: '02951f10-5934-456d-b608-7cd85b3f7c9d',
  requestMediationLatency: 1,
  keyType: 'SANDBOX',
  apiId: 'af88b5f8-594a-4f57-a729-7eb86b6a63ab',
  applicationName: 'DefaultApplication',
  targetResponseCode: 200,
  requestTimestamp: '2022-12-15T02:53:34.894Z',
  applicationOwner: 'admin',
  userAgent: 'curl',
  userName: 'admin@carbon.super',
  apiResourceTemplate: '/menu',
  responseLatency: 4,
  regionId: 'default',
  responseMediationLatency: 0,
  userIp: '127.0.0.1',
  apiContext: '/pizzashack/1.0.0',
  applicationId: '87c8da4c-aa3f-43d3-89ac-dc3dc3b19d3e',
  apiType: 'HTTP',
  properties: {},
} as const;

export function responseLine(id: string, overrides: Record<string, unknown> = {}): string {
  const json = { ...SAMPLE_RESPONSE, correlationId: id, ...overrides };
  return `${PREFIX}apim:response, properties :${JSON.stringify(json)}`;
}

export function faultyLine(id: string): string {
  const json = {
    apiName: 'OrdersAPI',
    requestTimestamp: '2025-03-04T09:19:48.023Z',
    errorType: 'THROTTLED',
    proxyResponseCode: 429,
    errorMessage: 'APPLICATION_LEVEL_LIMIT_EXCEEDED',
    applicationOwner: 'alice',
    errorCode: 900803,
    apiCreatorTenantDomain: 'carbon.super',
    apiVersion: '1.0.0',
    gatewayType: 'SYNAPSE',
    apiCreator: 'admin',
    regionId: 'default',
    correlationId: id,
    keyType: 'PRODUCTION',
    applicationId: 'a3c1e1f4-5d7b-4a1b-8a6e-9d2f7b1c0e33',
    apiId: '0b6f0a52-7d0e-4f38-9a7e-3d7f0c1b9e21',
    apiType: 'HTTP',
    applicationName: 'WebShop',
    properties: { userName: 'alice@carbon.super', apiContext: '/orders/1.0.0' },
    targetResponseCode: -1,
  };
  return `${PREFIX}apim:faulty, properties :${JSON.stringify(json)}`;
}

export const INIT_LINE =
  '09:12:03,114 [-] [main]  INFO ELKMetricReporter LogMetricReporter successfully initialized';

/** A metric line whose JSON is cut off: the parser must reject it. */
export function truncatedLine(id: string): string {
  const line = responseLine(id);
  return line.slice(0, Math.floor(line.length * 0.6));
}
