import { basename, dirname, join } from 'node:path';
import { defineFormat, type FormatDemo } from '../format.js';
import { DEFAULT_MAX_LINE_BYTES, parseLine, REJECT_REASONS, SKIP_REASONS } from './parse.js';
import { eventJson } from './serialise.js';

/**
 * Two lines of `apim_metrics.log`: a response line as WSO2's Datadog guide prints it, and a faulty
 * (AUTH) line of the 4.2+ filtered schema (test/fixtures/wso2-apim/).
 */
const SAMPLES = [
  '08:23:34,898 [-] [PassThroughMessageProcessor-188]  INFO ELKCounterMetric apimMetrics: apim:response, properties :{"apiName":"PizzaShackAPI","proxyResponseCode":200,"destination":"https://localhost:9443/am/sample/pizzashack/v1/api/","apiCreatorTenantDomain":"carbon.super","platform":"Other","apiMethod":"GET","apiVersion":"1.0.0","gatewayType":"SYNAPSE","apiCreator":"admin","responseCacheHit":false,"backendLatency":3,"correlationId":"02951f10-5934-456d-b608-7cd85b3f7c9d","requestMediationLatency":1,"keyType":"SANDBOX","apiId":"af88b5f8-594a-4f57-a729-7eb86b6a63ab","applicationName":"DefaultApplication","targetResponseCode":200,"requestTimestamp":"2022-12-15T02:53:34.894Z","applicationOwner":"admin","userAgent":"curl","userName":"admin@carbon.super","apiResourceTemplate":"/menu","responseLatency":4,"regionId":"default","responseMediationLatency":0,"userIp":"127.0.0.1","apiContext":"/pizzashack/1.0.0","applicationId":"87c8da4c-aa3f-43d3-89ac-dc3dc3b19d3e","apiType":"HTTP","properties":{}}',
  '09:18:10,081 [] [PassThroughMessageProcessor-3]  INFO ELKCounterMetric apimMetrics: apim:faulty, properties :{"apiName":"OrdersAPI","requestTimestamp":"2025-03-04T09:18:10.077Z","errorType":"AUTH","proxyResponseCode":401,"errorMessage":"AUTHENTICATION_FAILURE","applicationOwner":"UNKNOWN","errorCode":900902,"apiCreatorTenantDomain":"carbon.super","apiVersion":"1.0.0","gatewayType":"SYNAPSE","apiCreator":"admin","regionId":"default","correlationId":"11111111-2222-4333-8444-555555555555","keyType":"UNKNOWN","applicationId":"UNKNOWN","apiId":"0b6f0a52-7d0e-4f38-9a7e-3d7f0c1b9e21","apiType":"HTTP","applicationName":"UNKNOWN","properties":{"apiContext":"/orders/1.0.0","responseSize":0,"responseContentType":"application/json"},"targetResponseCode":-1}',
] as const;

/**
 * log4j2's rotated names (WSO2's `APIM_METRICS_APPENDER` file pattern): `apim_metrics.log` →
 * `apim_metrics-*.log`. A path not naming a `.log` file has none.
 */
function rotatedSiblings(path: string): string | undefined {
  if (!path.endsWith('.log')) return undefined;
  return join(dirname(path), `${basename(path, '.log')}-*.log`);
}

/** `gax demo`: the bundled sample log, then generated traffic rotated like log4j2 (./sim/). */
const demo: FormatDemo = {
  fileName: 'apim_metrics.log',
  glob: 'apim_metrics*.log',
  sampleLog: 'examples/apim_metrics.log',
  simulate: async (traffic) => {
    const { simulate } = await import('./sim/simulate.js');
    await simulate({ ...traffic });
  },
};

/** WSO2 API Manager 4.x `apim_metrics.log` (and APK / Choreo Connect's same grammar). */
export const wso2ApimFormat = defineFormat({
  name: 'wso2-apim',
  summary: 'WSO2 API Manager 4.x `apim_metrics.log`',
  parser: { parseLine },
  rejectReasons: REJECT_REASONS,
  skipReasons: SKIP_REASONS,
  eventTypes: ['response', 'faulty'],
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  rotatedSiblings,
  samples: SAMPLES,
  eventJson,
  demo,
});
