import type { Json } from './bundle.js';

/**
 * What `gax setup datadog` sets up for `logs.format: wso2` (plugins/datadog/README.md, "Logs as
 * WSO2's Datadog solution expects"): the log pipeline of WSO2's Datadog guide, and the facets and
 * measures its dashboards use, which Datadog's public API cannot create (no facet endpoint in the
 * v1 spec or the v2 client), so they are printed as one-time steps.
 */

/** The pipeline's name: how `gax setup datadog` finds it again (not WSO2's generic "PreProcessing"). */
export const LOG_PIPELINE_NAME = '[gax] WSO2 API Manager analytics';

/**
 * WSO2's grok rule, verbatim (wso2/docs-apim, datadog-installation-guide.md): `eventType` from the
 * metric name (`apim:response` → `response`), then the JSON of the line as attributes.
 */
export const WSO2_GROK_RULE =
  'rules_1 %{date("HH:mm:ss,SSS")}%{regex("[^a-zA-Z0-9]*\\\\w+[^a-zA-Z0-9]*\\\\w+[^a-zA-Z0-9]*\\\\w+ \\\\w+ [a-zA-Z0-9]*[^a-zA-Z0-9]*\\\\w+[^a-zA-Z0-9]")}%{regex("\\\\w+"):eventType}%{regex("[^a-zA-Z0-9]* \\\\w+ [^a-zA-Z0-9]")}%{data::json}\n';

/** WSO2's sample line (a real `apim:response` line of its guide), kept with the grok parser. */
export const WSO2_GROK_SAMPLE =
  '08:23:34,898 [-] [PassThroughMessageProcessor-188]  INFO ELKCounterMetric apimMetrics: apim:response, properties :{"apiName":"PizzaShackAPI","proxyResponseCode":200,"destination":"https://localhost:9443/am/sample/pizzashack/v1/api/","apiCreatorTenantDomain":"carbon.super","platform":"Other","apiMethod":"GET","apiVersion":"1.0.0","gatewayType":"SYNAPSE","apiCreator":"admin","responseCacheHit":false,"backendLatency":3,"correlationId":"02951f10-5934-456d-b608-7cd85b3f7c9d","requestMediationLatency":1,"keyType":"SANDBOX","apiId":"af88b5f8-594a-4f57-a729-7eb86b6a63ab","applicationName":"DefaultApplication","targetResponseCode":200,"requestTimestamp":"2022-12-15T02:53:34.894Z","applicationOwner":"admin","userAgent":"curl","userName":"admin@carbon.super","apiResourceTemplate":"/menu","responseLatency":4,"regionId":"default","responseMediationLatency":0,"userIp":"127.0.0.1","apiContext":"/pizzashack/1.0.0","applicationId":"87c8da4c-aa3f-43d3-89ac-dc3dc3b19d3e","apiType":"HTTP","properties":{}}';

/**
 * The pipeline (`LogsPipeline` of the v1 API, snake_case) on `source:<source>`:
 * 1. WSO2's grok parser, unchanged: raw `apim_metrics.log` lines that a Datadog Agent still ships
 *    (nodes not yet on gax) get the same attributes as before. gax's own items already carry
 *    them; their one-line `message` does not match the rule, so the parser leaves them alone.
 * 2. A date remapper on `requestTimestamp`: an Agent-shipped line gets its request time as the
 *    log date, as gax's items do (WSO2's setup had none, so its logs were dated at intake).
 */
export function wso2LogPipeline(source: string): Json {
  return {
    name: LOG_PIPELINE_NAME,
    is_enabled: true,
    filter: { query: `source:${source}` },
    processors: [
      {
        type: 'grok-parser',
        name: 'Grok Parser',
        is_enabled: true,
        source: 'message',
        samples: [WSO2_GROK_SAMPLE],
        grok: { support_rules: '', match_rules: WSO2_GROK_RULE },
      },
      {
        type: 'date-remapper',
        name: 'Request time as the log date',
        is_enabled: true,
        sources: ['requestTimestamp'],
      },
    ],
  };
}

/** The facet group every facet and measure goes in. */
export const FACET_GROUP = 'WSO2 API Manager';

export interface LogFacet {
  /** Attribute path as typed in Datadog (`@` + the attribute). */
  readonly path: string;
  readonly type: 'string';
  readonly group: string;
  readonly displayName: string;
}

export interface LogMeasure {
  readonly path: string;
  readonly type: 'integer';
  readonly group: string;
  readonly displayName: string;
  /** Datadog unit (family `time`, `millisecond`), or none. */
  readonly unit: 'millisecond' | undefined;
}

/**
 * WSO2's facets (its guide's list, in its order). The guide writes `Destination` and `Platform`
 * capitalised: attribute paths are case-sensitive and the attributes are `destination` and
 * `platform`, so those are the paths; the capitalised words are the display names.
 */
const FACETS: readonly [string, string?][] = [
  ['apiContext'],
  ['apiCreator'],
  ['apiName'],
  ['apiType'],
  ['apiVersion'],
  ['apiResourceTemplate'],
  ['apiMethod'],
  ['applicationName'],
  ['applicationOwner'],
  ['errorType'],
  ['eventType'],
  ['destination', 'Destination'],
  ['platform', 'Platform'],
  ['responseCacheHit'],
  ['userAgent'],
  ['userName'],
  ['userIp'],
];

export const LOG_FACETS: readonly LogFacet[] = FACETS.map(([attribute, name]) => ({
  path: `@${attribute}`,
  type: 'string',
  group: FACET_GROUP,
  displayName: name ?? attribute,
}));

/** WSO2's measures: the latencies in milliseconds, the status and error codes without a unit. */
export const LOG_MEASURES: readonly LogMeasure[] = [
  ...['backendLatency', 'responseLatency', 'responseMediationLatency', 'requestMediationLatency'].map(
    (a) => ({ attribute: a, unit: 'millisecond' as const }),
  ),
  ...['targetResponseCode', 'proxyResponseCode', 'errorCode'].map((a) => ({ attribute: a, unit: undefined })),
].map(({ attribute, unit }) => ({
  path: `@${attribute}`,
  type: 'integer',
  group: FACET_GROUP,
  displayName: attribute,
  unit,
}));

/** The one-time steps for the facets and measures, one line each (printed by `gax setup datadog`). */
export function facetSteps(): string[] {
  return [
    'Datadog has no API to create log facets or measures; add each once in Logs > Explorer > "+ Add" (facet panel), Advanced options:',
    ...LOG_FACETS.map(
      (f) => `facet    path ${f.path}  type string  group "${f.group}"  display name "${f.displayName}"`,
    ),
    ...LOG_MEASURES.map(
      (m) =>
        `measure  path ${m.path}  type integer  group "${m.group}"  display name "${m.displayName}"  unit ${m.unit === undefined ? '(none)' : 'time/millisecond'}`,
    ),
  ];
}
