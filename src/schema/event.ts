import { type Static, Type } from '@sinclair/typebox';

const str = (description: string) => Type.Optional(Type.String({ description }));
const int = (description: string) => Type.Optional(Type.Integer({ description }));
const ms = (description: string) =>
  Type.Optional(Type.Number({ description: `${description} Milliseconds.` }));
const bool = (description: string) => Type.Optional(Type.Boolean({ description }));
const open = (description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description }));

export const EventTypeSchema = Type.Union([Type.Literal('response'), Type.Literal('faulty')], {
  description:
    '`response`: the answer carries a backend response (relayed with any status, possibly after retries or failover, or from the response cache); `faulty`: the gateway made the answer itself with no backend response behind it (refused before forwarding: auth, throttling, no route, validation; or forwarded with no response: refused, reset, timed out). WSO2: from the metric name, `apim:response` / `apim:faulty`.',
});

export type EventType = Static<typeof EventTypeSchema>;

export const AiMetadataSchema = Type.Object(
  {
    vendorName: str('AI vendor, e.g. `OpenAI` (also read from `vendor_name`).'),
    vendorVersion: str('AI vendor API version (also read from `vendor_version`).'),
    model: str('Model name, surrounding quotes removed (`"\\"gpt-4o-mini\\""` → `gpt-4o-mini`).'),
  },
  { additionalProperties: true, description: 'AI API metadata (4.4+, AI/egress APIs).' },
);

export const AiTokenUsageSchema = Type.Object(
  {
    promptTokens: int('Prompt (input) tokens.'),
    completionTokens: int('Completion (output) tokens.'),
    totalTokens: int(
      'Total tokens, the one total every backend shows (docs/metrics.md); a parser whose gateway reports none sets prompt + completion. Tokens beyond prompt + completion (reasoning, cached) are in it.',
    ),
    hour: int('UTC hour (0–23) of the request start.'),
  },
  { additionalProperties: true, description: 'AI token usage (4.4+, AI/egress APIs).' },
);

export const CanonicalPropertiesSchema = Type.Object(
  {
    userName: str('End user, same as the root `userName` (4.2+).'),
    apiContext: str('API context, same as the root `apiContext` (4.2+).'),
    responseSize: int('Response size in bytes; 0 when unknown (4.3+).'),
    responseContentType: str('Response `Content-Type`, `UNKNOWN` when absent (4.3+).'),
    commonName: str('mTLS client-certificate common name (4.5).'),
    isEgress: bool('The API is an egress (AI) API (4.4+).'),
    subtype: str('API subtype, e.g. `AIAPI` (4.4+).'),
    aiMetadata: Type.Optional(AiMetadataSchema),
    aiTokenUsage: Type.Optional(AiTokenUsageSchema),
    requestHeaders: open('Published request headers, possibly masked (after 4.5).'),
    responseHeaders: open('Published response headers, possibly masked (after 4.5).'),
    mcpAnalytics: open('MCP API analytics data (after 4.5).'),
  },
  {
    additionalProperties: true,
    description: 'The nested `properties` object (4.2+); `{}` when the line has none. Custom keys kept.',
  },
);

export type CanonicalProperties = Static<typeof CanonicalPropertiesSchema>;

export const GatewaySchema = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      description: 'The input format that read the event (`inputs[].format`), e.g. `wso2-apim`.',
    }),
  },
  {
    additionalProperties: true,
    description:
      'The gateway product that wrote the event. Set by gax on every event it reads (not by the parser).',
  },
);

export const HostSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      description:
        'Host name of the gateway node whose log was read (ECS `host.name`): `inputs[].hostName`, else the host gax runs on.',
    }),
  },
  {
    additionalProperties: true,
    description:
      'The node that wrote the log. Set by `gax run`; absent from `gax replay` / `gax parse` events unless `--host-name` is given.',
  },
);

/**
 * The canonical event: one WSO2 API-M 4.x analytics record, in WSO2's own camelCase field names,
 * after normalisation by the parser (docs/events.md lists every field, its versions and units).
 * Only `eventType`, `requestTimestamp` and `correlationId` are guaranteed: field sets differ between
 * APIM versions and publisher builds (the parser always sets `properties`, `{}` when absent).
 * Unknown keys are kept as they arrived, at the root and in `properties`. Other gateways map onto
 * the same names (docs/events.md "Any gateway"). `gateway` and `host` are stamped by the reader
 * (src/parsers/origin.ts), not the parser: every delivered event has `gateway.type`.
 */
export const CanonicalEventSchema = Type.Object(
  {
    eventType: EventTypeSchema,
    requestTimestamp: Type.String({
      format: 'date-time',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      description: 'Request start, ISO-8601 UTC with exactly millisecond precision.',
    }),
    correlationId: Type.String({ minLength: 1, description: 'Request correlation id (UUID).' }),
    keyType: str('`PRODUCTION`, `SANDBOX`, `anonymous` or `UNKNOWN`.'),
    apiId: str('API UUID.'),
    apiType: str('API type, e.g. `HTTP`, `GRAPHQL`, `WS`.'),
    apiName: str('API name.'),
    apiVersion: str('API version.'),
    apiCreator: str('API provider (APK: `apiCreation`).'),
    apiCreatorTenantDomain: str('Tenant of the API creator, `carbon.super` for the super tenant.'),
    apiMethod: str('HTTP method (response events).'),
    apiContext: str('API context including version, e.g. `/pizzashack/1.0.0`.'),
    apiResourceTemplate: str('Matched URI template, e.g. `/orders/{id}` (response events).'),
    destination: str('Backend endpoint address (response events).'),
    applicationId: str('Subscribing application UUID, `UNKNOWN` or `anonymous` (APK: `applicationID`).'),
    applicationName: str('Subscribing application name.'),
    applicationOwner: str('Subscribing application owner.'),
    regionId: str('Gateway region, `default` unless configured (APK: `regionID`).'),
    gatewayType: str('Gateway type, e.g. `SYNAPSE` (`ENVOY` for Choreo Connect).'),
    userName: str('End user, e.g. `admin@carbon.super`; may be masked.'),
    userIp: str('Client IP address; may be masked; `UNKNOWN` when not known (APK: `userIP`).'),
    userAgent: str('User-agent family, e.g. `Chrome`, `curl`, `Other`, `UNKNOWN`.'),
    platform: str('Operating-system family, e.g. `Windows`, `Mac OS X`, `Other`, `UNKNOWN`.'),
    proxyResponseCode: int('HTTP status the gateway returned to the client.'),
    targetResponseCode: int('HTTP status of the backend; -1 on faulty events (no backend response).'),
    responseCacheHit: bool('The gateway answered from its response cache.'),
    responseLatency: ms('Total gateway time, request start to response end.'),
    backendLatency: ms('Backend time; 0 on a cache hit.'),
    requestMediationLatency: ms('Request-path mediation time.'),
    responseMediationLatency: ms('Response-path mediation time; 0 on a cache hit.'),
    errorType: str('Fault category: `AUTH`, `THROTTLED`, `TARGET_CONNECTIVITY`, `OTHER`… (faulty).'),
    errorCode: int('Gateway error code, e.g. 900901, 900803, 101504 (faulty).'),
    errorMessage: str('Fault sub-category, e.g. `AUTHENTICATION_FAILURE` (faulty).'),
    organizationId: str('APK organization id (APK: `organizationID`).'),
    environmentId: str('APK environment id (APK: `environmentID`).'),
    userAgentHeader: str('Raw `User-Agent` header (APK, 4.1.0 GA); `userAgent`/`platform` derived from it.'),
    properties: Type.Optional(CanonicalPropertiesSchema),
    gateway: Type.Optional(GatewaySchema),
    host: Type.Optional(HostSchema),
  },
  {
    title: 'CanonicalEvent',
    description:
      'One WSO2 API-M analytics event (apim:response or apim:faulty), normalised. Unknown keys are kept.',
    additionalProperties: true,
  },
);

export type CanonicalEvent = Static<typeof CanonicalEventSchema>;
