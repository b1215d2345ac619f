/**
 * The traffic model: what one event draws beyond its API, application and user. Responses get a status
 * code, latencies, a size and AI token usage; faults get an error code and the delay until their line.
 */

import type { Api, Resource } from './apis.js';
import type { App, User } from './catalog.js';
import { gsonString } from './gson.js';
import type { Random } from './random.js';
import { pick, pickOne } from './random.js';
import type { Device, Fault } from './tables.js';
import { FAULTS, STATUS, STATUS_OTHER } from './tables.js';

/** The Gson literal of an unknown value. */
export const UNKNOWN = '"UNKNOWN"';

/** What every event shares; string fields are ready-to-print JSON literals. */
export interface Base {
  api: Api;
  app: App;
  user: User;
  device: Device;
  ipIndex: number;
  keyType: string;
  correlationId: string;
  requestTs: string;
  logTime: number;
}

export interface ResponseEvent extends Base {
  resource: Resource;
  code: number;
  cacheHit: boolean;
  backend: number;
  reqMed: number;
  respMed: number;
  latency: number;
  size: number;
  contentType: string;
  ai: { model: string; prompt: number; completion: number; hour: number } | undefined;
}

export interface FaultEvent extends Base {
  fault: Fault;
  /** AUTH faults have no application and no authenticated user. */
  anonymous: boolean;
}

function drawLatencies(
  e: Pick<ResponseEvent, 'api' | 'ai'>,
  r: Random,
): Pick<ResponseEvent, 'backend' | 'reqMed' | 'respMed' | 'latency'> {
  const reqMed = Math.min(250, Math.round(r.lognormal(2, 0.8)));
  const respMed = Math.min(100, Math.round(r.lognormal(1, 0.9)));
  let backend =
    e.ai === undefined
      ? r.lognormal(e.api.latencyMedian, 0.7)
      : r.lognormal(400, 0.4) + e.ai.completion * r.lognormal(10, 0.3);
  if (r.chance(0.01)) backend *= r.lognormal(15, 0.6);
  backend = Math.min(120_000, Math.round(backend));
  return { backend, reqMed, respMed, latency: backend + reqMed + respMed + r.int(2) };
}

function drawAi(api: Api, resource: Resource, hour: number, r: Random): ResponseEvent['ai'] {
  const ai = api.ai;
  if (ai === undefined) return undefined;
  const prompt = Math.max(1, Math.round(r.lognormal(300, 0.9)));
  const completion =
    resource.raw.template === '/embeddings' ? 0 : Math.max(1, Math.round(r.lognormal(150, 0.8)));
  return { model: gsonString(`"${pickOne(ai.models, r)}"`), prompt, completion, hour };
}

/** A response to the request `b` started at `requestMs`. */
export function drawResponse(b: Base, requestMs: number, r: Random): ResponseEvent {
  const resource = pick(b.api.resources, r);
  const method = resource.raw.method;
  const cacheHit = b.api.cacheable && method === 'GET' && r.chance(0.4);
  const ai = drawAi(b.api, resource, Math.floor(requestMs / 3_600_000) % 24, r);
  const code = cacheHit ? 200 : pick(ai === undefined ? (STATUS[method] ?? STATUS_OTHER) : STATUS.AI!, r);
  const reqMedHit = 1 + r.int(4);
  const lat = cacheHit
    ? { backend: 0, reqMed: reqMedHit, respMed: 0, latency: reqMedHit }
    : drawLatencies({ api: b.api, ai }, r);
  let size = Math.round(r.lognormal(900, 1.1));
  let contentType = b.api.contentType;
  if (ai !== undefined) size = 400 + ai.completion * 4 + r.int(200);
  else if (code === 204) [size, contentType] = [0, UNKNOWN];
  else if (code >= 400) [size, contentType] = [Math.round(r.lognormal(120, 0.4)), '"application/json"'];
  else if (r.chance(0.08)) size = 0;
  // Explicit fields: object spread here costs more than building the line.
  return {
    api: b.api,
    app: b.app,
    user: b.user,
    device: b.device,
    ipIndex: b.ipIndex,
    keyType: b.keyType,
    correlationId: b.correlationId,
    requestTs: b.requestTs,
    logTime: requestMs + lat.latency + r.int(2),
    resource,
    code,
    cacheHit,
    backend: lat.backend,
    reqMed: lat.reqMed,
    respMed: lat.respMed,
    latency: lat.latency,
    size,
    contentType,
    ai,
  };
}

/** A gateway fault of the request `b` started at `requestMs`. */
export function drawFault(b: Base, requestMs: number, r: Random): FaultEvent {
  const fault = pick(FAULTS, r);
  return {
    api: b.api,
    app: b.app,
    user: b.user,
    device: b.device,
    ipIndex: b.ipIndex,
    keyType: b.keyType,
    correlationId: b.correlationId,
    requestTs: b.requestTs,
    logTime: requestMs + fault.delay(r),
    fault,
    anonymous: fault.errorType === 'AUTH',
  };
}
