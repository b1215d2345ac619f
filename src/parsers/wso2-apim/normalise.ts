import type { CanonicalEvent, EventType } from '../../schema/event.js';
import {
  coerceRoot,
  isObject,
  type Json,
  normaliseProperties,
  propertiesAreCanonical,
  respell,
  rootIsCanonical,
  show,
} from './fields.js';
import type { ParseResult, RejectReason } from './parse.js';
import { normaliseTimestamp } from './timestamp.js';
import { classifyUserAgent } from './user-agent.js';

/**
 * Turns one parsed WSO2 record into a canonical event, in place (one object per line, no copies):
 * APK spellings renamed, types coerced, timestamp canonicalised, `properties` defaulted, AI
 * metadata respelled, UA families derived from a raw header. Unknown keys are left untouched.
 */

const MAX_DETAIL = 200;

// `eventType` is added last so that every check reads the object shape JSON.parse made (fewer
// shapes for V8's inline caches; see fields.ts for the other performance notes).

export function normaliseRecord(record: Json, eventType: EventType, source: string): ParseResult {
  // `verbatim` stays true while the event is exactly `source`'s value: it lets `eventJson` reuse
  // the text instead of serialising the event again (serialise.ts). Any change in place clears it,
  // except a canonicalised string timestamp, which is spliced in.
  let verbatim = record.eventType === undefined;
  let id = record.correlationId;
  if (id === undefined) {
    renameApkFields(record);
    id = record.correlationId;
    verbatim = false;
  }

  const properties = record.properties;
  if (properties === undefined || properties === null) {
    record.properties = {};
    verbatim = false;
  } else {
    if (!isObject(properties)) return reject('invalid_field', 'properties: expected an object');
    if (!propertiesAreCanonical(properties)) {
      verbatim = false;
      const failure = normaliseProperties(properties);
      if (failure !== undefined) return reject('invalid_field', `properties.${failure}`);
    }
    // The WSO2 publisher copies these two to the root (reference §2.1); older builds did not.
    if (record.userName === undefined && properties.userName !== undefined) {
      record.userName = properties.userName;
      verbatim = false;
    }
    if (record.apiContext === undefined && properties.apiContext !== undefined) {
      record.apiContext = properties.apiContext;
      verbatim = false;
    }
  }

  if (typeof id !== 'string') verbatim = false;
  const ts = record.requestTimestamp;
  const required = normaliseRequired(record, id);
  if (required !== undefined) return required;
  if (!rootIsCanonical(record)) {
    verbatim = false;
    const failure = coerceRoot(record);
    if (failure !== undefined) return reject('invalid_field', failure);
  }

  if (record.gateway !== undefined || record.host !== undefined) {
    keepReservedKeys(record);
    verbatim = false;
  }

  const header = record.userAgent === undefined ? record.userAgentHeader : undefined;
  if (typeof header === 'string') {
    const families = classifyUserAgent(header);
    record.userAgent = families.userAgent;
    if (record.platform === undefined) record.platform = families.platform;
    verbatim = false;
  }
  record.eventType = eventType; // from the metric name; a JSON `eventType` key is overwritten
  const event = record as CanonicalEvent;
  if (!verbatim || typeof ts !== 'string') return { kind: 'event', event };
  return ts === event.requestTimestamp
    ? { kind: 'event', event, source }
    : { kind: 'event', event, source, sourceTimestamp: ts };
}

export function reject(reason: RejectReason, detail: string): ParseResult {
  return {
    kind: 'reject',
    reason,
    detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail,
  };
}

function normaliseRequired(record: Json, id: unknown): ParseResult | undefined {
  if (id === undefined || id === null) return reject('missing_field', 'correlationId is missing');
  if (typeof id !== 'string') {
    if (typeof id !== 'number')
      return reject('invalid_field', `correlationId: expected a string, got ${show(id)}`);
    record.correlationId = String(id);
  } else if (id.length === 0) {
    return reject('invalid_field', 'correlationId is empty');
  }

  const ts = record.requestTimestamp;
  if (ts === undefined || ts === null) return reject('missing_field', 'requestTimestamp is missing');
  const canonical = normaliseTimestamp(ts);
  if (canonical === undefined) {
    return reject('invalid_field', `requestTimestamp: not an ISO-8601 timestamp: ${show(ts)}`);
  }
  if (canonical !== ts) record.requestTimestamp = canonical;
  return undefined;
}

/** WSO2 APK's spellings (reference §1.6) → canonical spellings; APK records say `correlationID`. */
function renameApkFields(r: Json): void {
  if (r.correlationID !== undefined) respell(r, 'correlationID', 'correlationId');
  if (r.apiCreation !== undefined) respell(r, 'apiCreation', 'apiCreator');
  if (r.regionID !== undefined) respell(r, 'regionID', 'regionId');
  if (r.applicationID !== undefined) respell(r, 'applicationID', 'applicationId');
  if (r.userIP !== undefined) respell(r, 'userIP', 'userIp');
  if (r.organizationID !== undefined) respell(r, 'organizationID', 'organizationId');
  if (r.environmentID !== undefined) respell(r, 'environmentID', 'environmentId');
}

/**
 * `gateway` and `host` at the root belong to the reader's stamp (`gateway.type`, `host.name`;
 * src/parsers/origin.ts). WSO2 writes neither; a record that has one keeps its value under
 * `properties` (`gateway`, or `gateway_` if that is taken, …) instead of losing it to the stamp.
 */
function keepReservedKeys(record: Json): void {
  const properties = record.properties as Json;
  for (const key of ['gateway', 'host'] as const) {
    if (record[key] === undefined) continue;
    let name: string = key;
    while (properties[name] !== undefined) name += '_';
    properties[name] = record[key];
    delete record[key];
  }
}
