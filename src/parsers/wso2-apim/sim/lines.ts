/**
 * Lines of `apim_metrics.log`: the log4j2 envelope, then the compact JSON of one event in the key order
 * of real lines of its shape (Gson over a Java HashMap for Synapse gateways, Go struct order for APK).
 */

import { clockTime } from './format.js';
import { goString } from './gson.js';
import type { FaultEvent, ResponseEvent } from './traffic.js';
import { UNKNOWN } from './traffic.js';

/** Shapes of `apim:response` lines; `response` is the current (4.3+) one. */
export type ResponseShape = 'response' | 'response-4.2' | 'response-apk';

/** Shapes of `apim:faulty` lines; `faulty` is the current (4.3+) one. */
export type FaultShape = 'faulty' | 'faulty-4.1' | 'faulty-4.2';

/** The kind of line produced; `response`/`faulty` are the current (4.3+) shapes. */
export type LineShape = ResponseShape | FaultShape;

/** One full `apim:response` line of the given shape, without the trailing newline. */
export function responseLine(shape: ResponseShape, e: ResponseEvent, thread: number, mdc: string): string {
  switch (shape) {
    case 'response':
      return (
        envelope(e.logTime, thread, mdc, 'apim:response', 'properties :') +
        responseJson(e, responseProperties(e))
      );
    case 'response-4.2':
      return envelope(e.logTime, thread, mdc, 'apim:response', 'properties :') + responseJson(e, '{}');
    case 'response-apk':
      return envelope(e.logTime, thread, mdc, 'apim:response', 'properties: ') + apkResponseJson(e);
    default:
      return unreachable(shape);
  }
}

/** One full `apim:faulty` line of the given shape, without the trailing newline. */
export function faultLine(shape: FaultShape, e: FaultEvent, thread: number, mdc: string): string {
  const head = envelope(e.logTime, thread, mdc, 'apim:faulty', 'properties :');
  switch (shape) {
    case 'faulty':
      return head + faultJson(e);
    case 'faulty-4.1':
      return head + fault41Json(e);
    case 'faulty-4.2':
      return head + fault42Json(e);
    default:
      return unreachable(shape);
  }
}

function unreachable(shape: never): never {
  throw new Error(`unknown line shape ${String(shape)}`);
}

function envelope(logTime: number, thread: number, mdc: string, metric: string, separator: string): string {
  return `${clockTime(logTime)} ${mdc} [PassThroughMessageProcessor-${thread}]  INFO ELKCounterMetric apimMetrics: ${metric}, ${separator}`;
}

/** The 30-key response object (key order of a real 4.x line). */
function responseJson(e: ResponseEvent, properties: string): string {
  const a = e.api;
  return (
    `{"apiName":${a.name},"proxyResponseCode":${e.code},"destination":${a.destination},` +
    `"apiCreatorTenantDomain":${a.tenant},"platform":${e.device.platform},"apiMethod":${e.resource.method},` +
    `"apiVersion":${a.version},"gatewayType":"SYNAPSE","apiCreator":${a.creator},"responseCacheHit":${e.cacheHit},` +
    `"backendLatency":${e.backend},"correlationId":"${e.correlationId}","requestMediationLatency":${e.reqMed},` +
    `"keyType":${e.keyType},"apiId":${a.id},"applicationName":${e.app.name},"targetResponseCode":${e.code},` +
    `"requestTimestamp":"${e.requestTs}","applicationOwner":${e.app.owner},"userAgent":${e.device.userAgent},` +
    `"userName":${e.user.name},"apiResourceTemplate":${e.resource.template},"responseLatency":${e.latency},` +
    `"regionId":"default","responseMediationLatency":${e.respMed},"userIp":${e.user.ips[e.ipIndex]},` +
    `"apiContext":${a.context},"applicationId":${e.app.id},"apiType":${a.type},"properties":${properties}}`
  );
}

/** 4.3+ `properties` (a LinkedHashMap: insertion order), with the 4.4 AI/egress keys. */
function responseProperties(e: ResponseEvent): string {
  const head = `{"userName":${e.user.name},"apiContext":${e.api.context},"responseSize":${e.size},"responseContentType":${e.contentType}`;
  const ai = e.ai;
  const vendor = e.api.ai;
  if (ai === undefined || vendor === undefined) return `${head}}`;
  return (
    `${head},"isEgress":true,"subtype":"AIAPI",` +
    `"aiMetadata":{"vendorVersion":${vendor.vendorVersion},"model":${ai.model},"vendorName":${vendor.vendorName}},` +
    `"aiTokenUsage":{"hour":${ai.hour},"promptTokens":${ai.prompt},"totalTokens":${ai.prompt + ai.completion},` +
    `"completionTokens":${ai.completion}}}`
  );
}

/** WSO2 APK (Go enforcer): struct field order, Go escaping, other key spellings. */
function apkResponseJson(e: ResponseEvent): string {
  const a = e.api.raw;
  return (
    `{"apiId":${e.api.id},"apiType":${goString(a.type)},"apiName":${goString(a.name)},"apiVersion":${goString(a.version)},` +
    `"apiCreation":${goString(a.creator)},"apiCreatorTenantDomain":${goString(a.tenant)},` +
    `"apiMethod":${goString(e.resource.raw.method)},"apiContext":${goString(a.context)},` +
    `"apiResourceTemplate":${goString(e.resource.raw.template)},"organizationID":"default","environmentID":"default",` +
    `"targetResponseCode":${e.code},"proxyResponseCode":${e.code},"responseCacheHit":${e.cacheHit},` +
    `"destination":${goString(a.destination)},"correlationID":"${e.correlationId}","regionID":"default",` +
    `"gatewayType":"ENVOY","responseLatency":${e.latency},"backendLatency":${e.backend},` +
    `"requestMediationLatency":${e.reqMed},"responseMediationLatency":${e.respMed},"keyType":${e.keyType},` +
    `"applicationID":${e.app.id},"applicationName":${goString(e.app.raw.name)},` +
    `"applicationOwner":${goString(e.app.raw.owner)},"userAgentHeader":${e.device.header},` +
    `"userName":${goString(e.user.raw)},"userIP":${goString(e.user.rawIps[e.ipIndex]!)},` +
    `"requestTimestamp":"${e.requestTs}","properties":{}}`
  );
}

interface FaultParts {
  owner: string;
  appId: string;
  appName: string;
  keyType: string;
}

const faultParts = (e: FaultEvent): FaultParts =>
  e.anonymous
    ? { owner: UNKNOWN, appId: UNKNOWN, appName: UNKNOWN, keyType: UNKNOWN }
    : { owner: e.app.owner, appId: e.app.id, appName: e.app.name, keyType: e.keyType };

/** The filtered 20-key fault object of 4.2 GA … 4.5. */
function faultJson(e: FaultEvent): string {
  const a = e.api;
  const f = e.fault;
  const p = faultParts(e);
  return (
    `{"apiName":${a.name},"requestTimestamp":"${e.requestTs}","errorType":"${f.errorType}",` +
    `"proxyResponseCode":${f.proxyCode},"errorMessage":"${f.errorMessage}","applicationOwner":${p.owner},` +
    `"errorCode":${f.errorCode},"apiCreatorTenantDomain":${a.tenant},"apiVersion":${a.version},` +
    `"gatewayType":"SYNAPSE","apiCreator":${a.creator},"regionId":"default","correlationId":"${e.correlationId}",` +
    `"keyType":${p.keyType},"applicationId":${p.appId},"apiId":${a.id},"apiType":${a.type},` +
    `"applicationName":${p.appName},"properties":${faultProperties(e)},"targetResponseCode":-1}`
  );
}

function faultProperties(e: FaultEvent): string {
  const user = e.anonymous ? '' : `"userName":${e.user.name},`;
  const response =
    e.fault.errorType === 'TARGET_CONNECTIVITY'
      ? ''
      : ',"responseSize":0,"responseContentType":"application/json"';
  const egress = e.api.ai === undefined ? '' : ',"isEgress":true,"subtype":"AIAPI"';
  return `{${user}"apiContext":${e.api.context}${response}${egress}}`;
}

/** 4.1.0 updates: 20 keys, `responseCacheHit`, no `properties`. */
function fault41Json(e: FaultEvent): string {
  const a = e.api;
  const f = e.fault;
  const p = faultParts(e);
  return (
    `{"apiName":${a.name},"requestTimestamp":"${e.requestTs}","proxyResponseCode":${f.proxyCode},` +
    `"errorType":"${f.errorType}","applicationOwner":${p.owner},"errorMessage":"${f.errorMessage}",` +
    `"errorCode":${f.errorCode},"apiCreatorTenantDomain":${a.tenant},"apiVersion":${a.version},` +
    `"gatewayType":"SYNAPSE","apiCreator":${a.creator},"responseCacheHit":false,"regionId":"default",` +
    `"correlationId":"${e.correlationId}","keyType":${p.keyType},"applicationId":${p.appId},"apiId":${a.id},` +
    `"apiType":${a.type},"applicationName":${p.appName},"targetResponseCode":-1}`
  );
}

/** 4.2.0 unfiltered: + `userName` (dropped when null), `apiContext`, `responseCacheHit`, `properties:{}`. */
function fault42Json(e: FaultEvent): string {
  const a = e.api;
  const f = e.fault;
  const p = faultParts(e);
  const user = e.anonymous ? '' : `"userName":${e.user.name},`;
  return (
    `{"apiName":${a.name},"proxyResponseCode":${f.proxyCode},"errorType":"${f.errorType}","errorCode":${f.errorCode},` +
    `"apiCreatorTenantDomain":${a.tenant},"apiVersion":${a.version},"gatewayType":"SYNAPSE","apiCreator":${a.creator},` +
    `"responseCacheHit":false,"correlationId":"${e.correlationId}","keyType":${p.keyType},"apiId":${a.id},` +
    `"applicationName":${p.appName},"targetResponseCode":-1,"requestTimestamp":"${e.requestTs}",` +
    `"applicationOwner":${p.owner},"errorMessage":"${f.errorMessage}",${user}"regionId":"default",` +
    `"apiContext":${a.context},"applicationId":${p.appId},"apiType":${a.type},"properties":{}}`
  );
}
