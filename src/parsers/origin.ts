import type { CanonicalEvent } from '../schema/event.js';

/**
 * Where events come from, stamped onto each one by the reader (the parsers stay pure):
 * `gateway.type` (the input's format, always) and `host.name` (the node that wrote the log; absent
 * when not known, never guessed). Its objects are frozen and shared by every event of one input.
 */
export interface EventOrigin {
  readonly gateway: Readonly<{ type: string }>;
  readonly host: Readonly<{ name: string }> | undefined;
  /** `,"gateway":{…}` (and `,"host":{…}`): the JSON of both keys, to append to an event's text. */
  readonly json: string;
}

/** The origin of events of format `format` read on host `hostName` (undefined: not known). */
export function eventOrigin(format: string, hostName: string | undefined): EventOrigin {
  const gateway = Object.freeze({ type: format });
  const host = hostName === undefined ? undefined : Object.freeze({ name: hostName });
  const json = `,"gateway":${JSON.stringify(gateway)}${host === undefined ? '' : `,"host":${JSON.stringify(host)}`}`;
  return Object.freeze({ gateway, host, json });
}

/** Sets `gateway` and `host` of `event` (two assignments, no allocation). A key the line had is replaced. */
export function stampOrigin(event: CanonicalEvent, origin: EventOrigin): void {
  event.gateway = origin.gateway;
  if (origin.host !== undefined) event.host = origin.host;
}

/**
 * `eventText` (one event as JSON, as a format serialised it unstamped) with `origin`'s keys added
 * before its closing brace: `JSON.parse` of the result deep-equals the stamped event (a key the
 * line itself had is then written twice; the later, stamped value is the one parsed).
 */
export function withOriginJson(eventText: string, origin: EventOrigin | string): string {
  const members = typeof origin === 'string' ? origin : origin.json;
  return `${eventText.slice(0, eventText.lastIndexOf('}'))}${members}}`;
}
