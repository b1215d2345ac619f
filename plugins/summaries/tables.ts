import type { CanonicalEvent } from '../../src/schema/event.js';

/**
 * WSO2 API Manager 2.x/3.x analytics' aggregate tables (`ApiUserPerAppAgg_<granularity>`, …),
 * with their documented names, columns and meanings (../shared/reference/wso2-2x-analytics/),
 * filled from 4.x canonical events. One declaration per table: the PostgreSQL DDL and upserts,
 * the Elasticsearch summary documents, the README's field map and the tests all read it.
 *
 * Where a 4.x log lacks a dimension WSO2 grouped by, the key column is `UNKNOWN` (the value 4.x
 * itself writes for what it cannot resolve); an attribute it lacks is NULL. README.md lists each.
 */

/** Which events a table counts: WSO2's request stream is 4.x's response events; its fault and
 * throttle streams are 4.x's faulty events without and with `errorType: THROTTLED`. */
export type Stream = 'request' | 'fault' | 'throttle';

export interface TextColumn {
  readonly name: string;
  /** The value from one event; undefined: absent (NULL for an attribute, `UNKNOWN` for a key). */
  readonly from: (event: CanonicalEvent) => string | undefined;
  /** Where it comes from in a 4.x event (README's field map). */
  readonly source: string;
  /** WSO2's column type when not `varchar(254)`. */
  readonly sqlType?: 'bigint';
}

export interface SumColumn {
  readonly name: string;
  /** What one event adds; undefined: 4.x does not log it (the column stays NULL). */
  readonly from: (event: CanonicalEvent, stream: Stream) => number | undefined;
  readonly source: string;
}

export interface TableSpec {
  /** WSO2's table name; a granular table is `<name>_<GRANULARITY>` (`ApiExeTime_HOURS`). */
  readonly name: string;
  readonly streams: readonly Stream[];
  /** Per granularity (`AGG_TIMESTAMP`, `AGG_EVENT_TIMESTAMP` first) or one row per key (ApiLastAccessSummary). */
  readonly granular: boolean;
  /** The primary key after the time columns (NOT NULL). */
  readonly keys: readonly TextColumn[];
  /** Other columns: the values of the latest event of the row (by request time). */
  readonly attributes: readonly TextColumn[];
  /** Added up per row (`AGG_COUNT`, `AGG_SUM_*`). */
  readonly sums: readonly SumColumn[];
  /** What WSO2's docs say the table is for (README). */
  readonly about: string;
  /** WSO2's column order where it is not time, keys, last time, attributes, sums. */
  readonly order?: readonly string[];
}

/** The unknown value of a key dimension, as 4.x writes it. */
export const UNKNOWN = 'UNKNOWN';

const text = (name: string, source: string, from: TextColumn['from']): TextColumn => ({ name, source, from });
const field =
  (key: keyof CanonicalEvent) =>
  (event: CanonicalEvent): string | undefined => {
    const value = event[key];
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
const same = (name: keyof CanonicalEvent & string): TextColumn => text(name, `\`${name}\``, field(name));

/** The user's tenant: after the last `@` of `userName` (4.x writes `admin@carbon.super`). */
export function userTenantDomain(event: CanonicalEvent): string | undefined {
  const user = event.userName;
  const at = user?.lastIndexOf('@') ?? -1;
  return user !== undefined && at >= 0 && at < user.length - 1 ? user.slice(at + 1) : undefined;
}

const c = {
  apiContext: same('apiContext'),
  apiName: same('apiName'),
  apiVersion: same('apiVersion'),
  apiCreator: same('apiCreator'),
  apiCreatorTenantDomain: same('apiCreatorTenantDomain'),
  apiResourceTemplate: same('apiResourceTemplate'),
  apiMethod: same('apiMethod'),
  destination: same('destination'),
  applicationId: same('applicationId'),
  applicationName: same('applicationName'),
  applicationOwner: same('applicationOwner'),
  gatewayType: same('gatewayType'),
  apiHostname: text(
    'apiHostname',
    '`host.name` (the gateway node; `inputs[].hostName`)',
    (e) => e.host?.name,
  ),
  hostname: text('hostname', '`host.name` (the gateway node; `inputs[].hostName`)', (e) => e.host?.name),
  username: text('username', '`userName`', field('userName')),
  userTenantDomain: text('userTenantDomain', 'after the last `@` of `userName`', userTenantDomain),
  label: text('label', 'not in 4.x logs (NULL)', () => undefined),
  regionalID: text('regionalID', '`regionId`', field('regionId')),
  operatingSystem: text('operatingSystem', '`platform`', field('platform')),
  browser: text('browser', '`userAgent` (the family)', field('userAgent')),
  country: text('country', 'not in 4.x logs: `UNKNOWN` until geo enrichment', () => undefined),
  city: text('city', 'not in 4.x logs: `UNKNOWN` until geo enrichment', () => undefined),
  applicationConsumerKey: text('applicationConsumerKey', 'not in 4.x logs (NULL)', () => undefined),
  requestTimestamp: {
    ...text('requestTimestamp', '`requestTimestamp` (epoch ms)', (e) =>
      String(Date.parse(e.requestTimestamp)),
    ),
    sqlType: 'bigint',
  },
  throttledOutReason: text(
    'throttledOutReason',
    '`errorMessage` (e.g. `APPLICATION_LEVEL_LIMIT_EXCEEDED`)',
    field('errorMessage'),
  ),
  subscriber: text('subscriber', '`applicationOwner`', field('applicationOwner')),
} as const;

const count = (name = 'AGG_COUNT'): SumColumn => ({ name, source: '1 per event', from: () => 1 });
const latency =
  (key: 'responseLatency' | 'backendLatency' | 'requestMediationLatency' | 'responseMediationLatency') =>
  (e: CanonicalEvent): number =>
    e[key] ?? 0;
const sum = (name: string, source: string, from: SumColumn['from']): SumColumn => ({ name, source, from });
const absent = (name: string): SumColumn => sum(name, 'not in 4.x logs (NULL)', () => undefined);

const api = [c.apiName, c.apiVersion, c.apiCreator, c.apiCreatorTenantDomain];

export const TABLES: readonly TableSpec[] = [
  {
    name: 'ApiUserPerAppAgg',
    about: 'Requests per API, application and end user.',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.apiHostname, c.applicationId, c.username, c.userTenantDomain],
    attributes: [...api, c.applicationName, c.applicationOwner, c.gatewayType, c.label, c.regionalID],
    sums: [count()],
  },
  {
    name: 'ApiResPathPerApp',
    about: 'Requests per API resource (template and method) and application.',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.apiHostname, c.applicationId, c.apiResourceTemplate, c.apiMethod],
    attributes: [...api, c.applicationName, c.gatewayType, c.label, c.regionalID],
    sums: [count()],
  },
  {
    name: 'ApiPerDestinationAgg',
    about: 'Requests per API and backend endpoint.',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.apiHostname, c.destination],
    attributes: [...api, c.gatewayType, c.label, c.regionalID],
    sums: [count()],
  },
  {
    name: 'ApiVersionPerAppAgg',
    about: 'Requests per API version and application.',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.apiHostname, c.applicationId],
    attributes: [...api, c.applicationName, c.gatewayType, c.label, c.regionalID],
    sums: [
      count(),
      sum('AGG_SUM_quotaExceededValue', '0: 4.x logs no request let through past its quota', () => 0),
    ],
  },
  {
    name: 'ApiExeTime',
    about: 'Time spent per API resource: response, service, backend and mediation times (ms sums).',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.apiHostname, c.apiResourceTemplate, c.apiMethod],
    attributes: [...api, c.regionalID],
    sums: [
      sum('AGG_SUM_responseTime', '`responseLatency`', latency('responseLatency')),
      count(),
      sum('AGG_SUM_serviceTime', '`responseLatency` − `backendLatency`', (e) =>
        Math.max(0, latency('responseLatency')(e) - latency('backendLatency')(e)),
      ),
      sum('AGG_SUM_backendTime', '`backendLatency`', latency('backendLatency')),
      absent('AGG_SUM_securityLatency'),
      absent('AGG_SUM_throttlingLatency'),
      sum('AGG_SUM_requestMedLat', '`requestMediationLatency`', latency('requestMediationLatency')),
      sum('AGG_SUM_responseMedLat', '`responseMediationLatency`', latency('responseMediationLatency')),
      sum('AGG_SUM_backendLatency', '`backendLatency`', latency('backendLatency')),
      sum('AGG_SUM_otherLatency', '`responseLatency` − backend − request and response mediation', (e) =>
        Math.max(
          0,
          latency('responseLatency')(e) -
            latency('backendLatency')(e) -
            latency('requestMediationLatency')(e) -
            latency('responseMediationLatency')(e),
        ),
      ),
    ],
  },
  {
    name: 'ApiUserBrowserAgg',
    about: 'Requests per API, operating system and browser.',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.apiCreator, c.apiCreatorTenantDomain, c.operatingSystem, c.browser],
    attributes: [c.apiName, c.apiVersion, c.gatewayType, c.label, c.regionalID],
    sums: [count()],
  },
  {
    name: 'APIM_ReqCountAgg',
    about: 'Successful and throttled-out requests per API and application.',
    streams: ['request', 'throttle'],
    granular: true,
    keys: [...api, c.applicationName],
    attributes: [c.regionalID],
    sums: [
      sum('AGG_SUM_successCount', '1 per response event', (_, s) => (s === 'request' ? 1 : 0)),
      sum('AGG_SUM_throttleCount', '1 per faulty event with `errorType: THROTTLED`', (_, s) =>
        s === 'throttle' ? 1 : 0,
      ),
    ],
  },
  {
    name: 'GeoLocationAgg',
    about: 'Requests per API, country and city.',
    streams: ['request'],
    granular: true,
    keys: [c.apiContext, c.country, c.city],
    attributes: [...api, c.username, c.userTenantDomain, c.regionalID],
    sums: [count('totalCount')],
    order: ['totalCount', 'regionalID'],
  },
  {
    name: 'ApiFaultyInvocationAgg',
    about:
      'Faulty requests (backend errors, timeouts, authentication and other faults) per API and application.',
    streams: ['fault'],
    granular: true,
    keys: [c.apiContext, c.applicationId, c.hostname],
    attributes: [...api, c.applicationConsumerKey, c.applicationName, c.requestTimestamp, c.regionalID],
    sums: [count()],
  },
  {
    name: 'ApiThrottledOutAgg',
    about: 'Throttled-out requests per API, application and reason.',
    streams: ['throttle'],
    granular: true,
    keys: [c.apiContext, c.applicationId, c.throttledOutReason, c.hostname],
    attributes: [
      ...api,
      c.username,
      c.userTenantDomain,
      c.applicationName,
      c.subscriber,
      c.gatewayType,
      c.regionalID,
    ],
    sums: [count()],
  },
  {
    name: 'ApiLastAccessSummary',
    about: 'When each API was last called (not an aggregation: one row per API).',
    streams: ['request'],
    granular: false,
    keys: [c.apiName, c.apiCreator, c.apiCreatorTenantDomain],
    attributes: [c.apiContext, c.apiVersion, c.applicationOwner],
    sums: [],
    order: [
      'apiContext',
      'apiName',
      'apiVersion',
      'apiCreator',
      'apiCreatorTenantDomain',
      'applicationOwner',
      'lastAccessTime',
    ],
  },
];

/** The stream a canonical event belongs to. */
export function streamOf(event: CanonicalEvent): Stream {
  if (event.eventType === 'response') return 'request';
  return event.errorType === 'THROTTLED' ? 'throttle' : 'fault';
}
