import { randomInt } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { type DatadogSchemaName, datadogValidator } from './datadog-spec.js';
import { listenOnLoopback } from './loopback.js';

/**
 * A loopback HTTP server standing in for Datadog's API: the metrics, distribution-points and logs intake,
 * API-key validation, and dashboard/monitor/log-pipeline CRUD. It records every request (decompressed, parsed and
 * checked against Datadog's schemas, see `datadog-spec.ts`), answers like Datadog (status codes, bodies,
 * documented size limits), stores dashboards and monitors so `gax setup datadog` can be tested for
 * idempotency, and injects faults (status codes such as 429 with rate-limit headers, delays, resets).
 *
 * Point `@datadog/datadog-api-client` at it with
 * `client.createConfiguration({ baseServer: new client.BaseServerConfiguration(receiver.url, {}), authMethods: { apiKeyAuth } })`;
 * `baseServer` also overrides the logs intake's own host (`http-intake.logs.<site>`).
 */

export interface ReceivedRequest {
  readonly method: string;
  /** URL path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** As Node gives them: lower-case names (`dd-api-key`, `content-encoding`, …). */
  readonly headers: IncomingHttpHeaders;
  /** Body size on the wire (compressed if it was). */
  readonly rawBytes: number;
  /** Parsed JSON after gunzip/inflate; `undefined` without a body or when it did not parse. */
  readonly body: unknown;
  /**
   * The receiver's objections to the body: schema problems (`"<JSON pointer> <message>"`), undecodable
   * or non-JSON bodies, exceeded limits. Computed even when the request was answered with a fault or 403.
   */
  readonly problems: string[];
  /** Status the receiver answered with; undefined while pending or when the socket was reset. */
  readonly status: number | undefined;
  /** The injected fault applied to this request, if any. */
  readonly fault: DdFault['kind'] | undefined;
}

export type DdFault =
  /** Answer `status` with `headers` and `body` (JSON-encoded unless a string; default a Datadog-style error). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Answer normally after `ms` (the request is applied then even if the client gave up). */
  | { kind: 'delay'; ms: number }
  /** Destroy the socket (TCP reset) once the request is read, without answering or applying it. */
  | { kind: 'reset' };

export interface DatadogReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: readonly ReceivedRequest[];
  /**
   * Fault for the next `times` matching requests (default: until cleared). `path` matches that path and
   * paths below it (`/api/v1/dashboard` also matches `/api/v1/dashboard/abc-def-ghi`), `'*'` matches every
   * request; default: every intake path (`/api/v2/series`, `/api/v1/series`, `/api/v1/distribution_points`,
   * `/api/v2/logs`). Injections add up; the first active one that matches applies.
   */
  inject(fault: DdFault, options?: { times?: number; path?: string }): void;
  /** Removes every injection. */
  clear(): void;
  /** Forgets recorded requests and stored dashboards/monitors/pipelines (injections stay). */
  reset(): void;
  /** Stored dashboards (by id, as returned by the API) for `gax setup datadog` idempotency tests. */
  readonly dashboards: ReadonlyMap<string, unknown>;
  /** Stored monitors (by numeric id, as returned by the API). */
  readonly monitors: ReadonlyMap<number, unknown>;
  /** Stored log pipelines (by id, as returned by the API: `/api/v1/logs/config/pipelines`). */
  readonly pipelines: ReadonlyMap<string, unknown>;
  close(): Promise<void>;
}

export interface DatadogReceiverOptions {
  /** Required `DD-API-KEY`; when omitted any non-empty key is accepted (a missing one is still refused). */
  apiKey?: string;
  /** When given, dashboard, monitor and log-pipeline routes also require this `DD-APPLICATION-KEY`. */
  appKey?: string;
}

export const INTAKE_PATHS = [
  '/api/v2/series',
  '/api/v1/series',
  '/api/v1/distribution_points',
  '/api/v2/logs',
];

/** Documented payload limits (https://docs.datadoghq.com/api/latest/metrics/ and /logs/). */
export const DATADOG_LIMITS = {
  /** `POST /api/v2/series`: bytes on the wire, and after decompression. */
  v2SeriesWireBytes: 512_000,
  v2SeriesDecodedBytes: 5_242_880,
  /** `POST /api/v1/series` */
  v1SeriesWireBytes: 3_200_000,
  v1SeriesDecodedBytes: 62_914_560,
  /** `POST /api/v2/logs`: uncompressed payload, entries per array, bytes per entry (larger ones are truncated). */
  logsDecodedBytes: 5_242_880,
  logsMaxItems: 1000,
  logEntryBytes: 1_048_576,
} as const;

const INTAKE_ROUTES = new Map<string, { schema: DatadogSchemaName; accepted: unknown }>([
  ['/api/v2/series', { schema: 'v2/MetricPayload', accepted: { errors: [] } }],
  ['/api/v1/series', { schema: 'MetricsPayload', accepted: { status: 'ok' } }],
  ['/api/v1/distribution_points', { schema: 'DistributionPointsPayload', accepted: { status: 'ok' } }],
  ['/api/v2/logs', { schema: 'v2/HTTPLog', accepted: {} }],
]);

/** Cap on decompressed bodies of routes without a documented limit (guards against bombs). */
const DEFAULT_DECODED_CAP = 64 * 1024 * 1024;

type Json = Record<string, unknown>;

interface Injection {
  readonly fault: DdFault;
  readonly path: string | undefined;
  remaining: number | undefined;
}

interface MutableRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBytes: number;
  body: unknown;
  problems: string[];
  status: number | undefined;
  fault: DdFault['kind'] | undefined;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

interface Decoded {
  readonly text: string | undefined;
  /** Set when the body cannot be used: answer this instead. */
  readonly refusal?: Answer;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isTooLarge(err: unknown): boolean {
  return (
    err instanceof RangeError ||
    (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ||
    (err as { code?: string }).code === 'Z_BUF_ERROR'
  );
}

function slug(title: unknown): string {
  return (
    String(title ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'dashboard'
  );
}

function dashboardId(taken: ReadonlyMap<string, unknown>): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const part = () => Array.from({ length: 3 }, () => letters[randomInt(letters.length)]).join('');
  for (;;) {
    const id = `${part()}-${part()}-${part()}`;
    if (!taken.has(id)) return id;
  }
}

function tagList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Fields Datadog computes; a create/update body's values for them are ignored. */
const DASHBOARD_READ_ONLY = ['id', 'author_handle', 'author_name', 'created_at', 'modified_at', 'url'];
/** Fields Datadog computes on a log pipeline. */
const PIPELINE_READ_ONLY = ['id', 'is_read_only', 'type'];
const MONITOR_READ_ONLY = [
  'id',
  'created',
  'modified',
  'creator',
  'deleted',
  'multi',
  'overall_state',
  'state',
  'org_id',
  'matching_downtimes',
];

function without(obj: Json, keys: readonly string[]): Json {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

export async function startDatadogReceiver(options: DatadogReceiverOptions = {}): Promise<DatadogReceiver> {
  const requests: MutableRequest[] = [];
  let injections: Injection[] = [];
  const dashboards = new Map<string, Json>();
  const monitors = new Map<number, Json>();
  const pipelines = new Map<string, Json>();
  let nextMonitorId = 1_000_001;
  const closing = new AbortController();

  const validators = new Map<DatadogSchemaName, (data: unknown) => string[]>();
  const validate = (name: DatadogSchemaName, data: unknown): string[] => {
    let v = validators.get(name);
    if (!v) {
      v = datadogValidator(name);
      validators.set(name, v);
    }
    return v(data);
  };

  const isLogs = (path: string) => path === '/api/v2/logs';

  /** Datadog's error body: `APIErrorResponse` (`{errors: [string]}`), or `HTTPLogErrors` for the logs intake. */
  const errorBody = (path: string, status: number, messages: readonly string[]): unknown =>
    isLogs(path)
      ? {
          errors: messages.map((detail) => ({
            status: String(status),
            title: STATUS_CODES[status] ?? 'Error',
            detail,
          })),
        }
      : { errors: [...messages] };

  const error = (path: string, status: number, ...messages: string[]): Answer => ({
    status,
    body: errorBody(path, status, messages.length > 0 ? messages : [STATUS_CODES[status] ?? 'Error']),
  });

  function decode(rec: MutableRequest, raw: Buffer, decodedCap: number): Decoded {
    if (raw.length === 0) return { text: undefined };
    const encoding = String(rec.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const opts = { maxOutputLength: decodedCap + 1 };
    let data: Buffer;
    try {
      if (encoding === 'identity' || encoding === '') data = raw;
      else if (encoding === 'gzip') data = gunzipSync(raw, opts);
      else if (encoding === 'deflate') {
        try {
          data = inflateSync(raw, opts);
        } catch (err) {
          if (isTooLarge(err)) throw err;
          data = inflateRawSync(raw, opts);
        }
      } else {
        rec.problems.push(`the receiver cannot decode content-encoding '${encoding}'`);
        return {
          text: undefined,
          refusal: error(rec.path, 415, `Unsupported content-encoding: ${encoding}`),
        };
      }
    } catch (err) {
      if (isTooLarge(err) && encoding !== 'identity') {
        rec.problems.push(`body decompresses to more than ${decodedCap} bytes`);
        return { text: undefined, refusal: error(rec.path, 413, 'Payload too large') };
      }
      rec.problems.push(`body is not valid ${encoding}: ${(err as Error).message}`);
      return { text: undefined, refusal: error(rec.path, 400, `Invalid ${encoding} body`) };
    }
    if (data.length > decodedCap) {
      rec.problems.push(`body is ${data.length} bytes uncompressed, over the ${decodedCap}-byte limit`);
      return { text: undefined, refusal: error(rec.path, 413, 'Payload too large') };
    }
    return { text: data.toString('utf8') };
  }

  /** Decodes, size-checks and parses the body into `rec`; returns a refusal to answer, if any. */
  function parseBody(rec: MutableRequest, raw: Buffer): Answer | undefined {
    let wireCap: number | undefined;
    let decodedCap = DEFAULT_DECODED_CAP;
    if (rec.path === '/api/v2/series') {
      wireCap = DATADOG_LIMITS.v2SeriesWireBytes;
      decodedCap = DATADOG_LIMITS.v2SeriesDecodedBytes;
    } else if (rec.path === '/api/v1/series') {
      wireCap = DATADOG_LIMITS.v1SeriesWireBytes;
      decodedCap = DATADOG_LIMITS.v1SeriesDecodedBytes;
    } else if (isLogs(rec.path)) {
      decodedCap = DATADOG_LIMITS.logsDecodedBytes;
    }
    if (wireCap !== undefined && raw.length > wireCap) {
      rec.problems.push(`body is ${raw.length} bytes on the wire, over the ${wireCap}-byte limit`);
      return error(rec.path, 413, 'Payload too large');
    }
    const decoded = decode(rec, raw, decodedCap);
    if (decoded.refusal) return decoded.refusal;
    if (decoded.text === undefined) return undefined;
    try {
      rec.body = JSON.parse(decoded.text);
    } catch (err) {
      rec.problems.push(`body is not JSON: ${(err as Error).message}`);
      return error(rec.path, 400, 'Malformed JSON');
    }
    return undefined;
  }

  function apiKeyRefusal(rec: MutableRequest): Answer | undefined {
    const key = rec.headers['dd-api-key'];
    const given = typeof key === 'string' && key.length > 0 ? key : undefined;
    if (given === undefined) {
      // The logs intake documents 401 for a missing key, 403 for an invalid one.
      return isLogs(rec.path) ? error(rec.path, 401, 'Unauthorized') : error(rec.path, 403, 'Forbidden');
    }
    if (options.apiKey !== undefined && given !== options.apiKey) return error(rec.path, 403, 'Forbidden');
    return undefined;
  }

  function appKeyRefusal(rec: MutableRequest): Answer | undefined {
    if (options.appKey === undefined) return undefined;
    return rec.headers['dd-application-key'] === options.appKey
      ? undefined
      : error(rec.path, 403, 'Forbidden');
  }

  /** Schema checked for a request body, if any (monitor updates are checked merged, in the route). */
  function schemaFor(rec: MutableRequest): DatadogSchemaName | undefined {
    const { method, path } = rec;
    if (method === 'POST') {
      const intake = INTAKE_ROUTES.get(path);
      if (intake) return intake.schema;
      if (/^\/api\/v1\/dashboard\/?$/.test(path)) return 'Dashboard';
      if (/^\/api\/v1\/monitor(?:\/validate)?\/?$/.test(path)) return 'Monitor';
    }
    if (method === 'PUT' && /^\/api\/v1\/dashboard\/[^/]+\/?$/.test(path)) return 'Dashboard';
    if (method === 'POST' && /^\/api\/v1\/logs\/config\/pipelines\/?$/.test(path)) return 'LogsPipeline';
    if (method === 'PUT' && /^\/api\/v1\/logs\/config\/pipelines\/[^/]+\/?$/.test(path))
      return 'LogsPipeline';
    return undefined;
  }

  /** A 400 carrying the body's problems, when it has any. */
  function problemsRefusal(rec: MutableRequest): Answer | undefined {
    return rec.problems.length > 0 ? error(rec.path, 400, ...rec.problems) : undefined;
  }

  function intake(rec: MutableRequest, accepted: unknown): Answer {
    if (rec.body === undefined) {
      rec.problems.push('body is missing');
      return error(rec.path, 400, 'Payload is empty');
    }
    if (isLogs(rec.path) && Array.isArray(rec.body) && rec.body.length > DATADOG_LIMITS.logsMaxItems) {
      rec.problems.push(
        `${rec.body.length} log entries, over the ${DATADOG_LIMITS.logsMaxItems}-entry limit`,
      );
      return error(rec.path, 413, 'Payload too large');
    }
    const refusal = problemsRefusal(rec);
    if (refusal) return refusal;
    if (isLogs(rec.path) && Array.isArray(rec.body)) {
      rec.body.forEach((entry, i) => {
        const bytes = Buffer.byteLength(JSON.stringify(entry));
        if (bytes > DATADOG_LIMITS.logEntryBytes) {
          rec.problems.push(`/${i} is ${bytes} bytes, over the 1 MB entry limit (Datadog truncates it)`);
        }
      });
    }
    return { status: 202, body: accepted };
  }

  function dashboardSummary(d: Json): Json {
    const keys = [
      'id',
      'title',
      'description',
      'layout_type',
      'url',
      'is_read_only',
      'created_at',
      'modified_at',
      'author_handle',
    ];
    return Object.fromEntries(keys.filter((k) => k in d).map((k) => [k, d[k]]));
  }

  function dashboardRoute(rec: MutableRequest, id: string | undefined): Answer {
    const now = new Date().toISOString();
    if (id === undefined) {
      if (rec.method === 'GET')
        return { status: 200, body: { dashboards: [...dashboards.values()].map(dashboardSummary) } };
      if (rec.method === 'POST') {
        const refusal = problemsRefusal(rec);
        if (refusal) return refusal;
        const newId = dashboardId(dashboards);
        const stored: Json = {
          ...without(rec.body as Json, DASHBOARD_READ_ONLY),
          id: newId,
          url: `/dashboard/${newId}/${slug((rec.body as Json).title)}`,
          author_handle: 'gax-test@example.invalid',
          author_name: null,
          created_at: now,
          modified_at: now,
        };
        dashboards.set(newId, stored);
        return { status: 200, body: stored };
      }
      return error(rec.path, 405, 'Method not allowed');
    }
    const existing = dashboards.get(id);
    if (!existing) return error(rec.path, 404, `Dashboard with ID ${id} not found`);
    if (rec.method === 'GET') return { status: 200, body: existing };
    if (rec.method === 'PUT') {
      const refusal = problemsRefusal(rec);
      if (refusal) return refusal;
      const stored: Json = {
        ...without(rec.body as Json, DASHBOARD_READ_ONLY),
        ...Object.fromEntries(DASHBOARD_READ_ONLY.map((k) => [k, existing[k]])),
        url: `/dashboard/${id}/${slug((rec.body as Json).title)}`,
        modified_at: now,
      };
      dashboards.set(id, stored);
      return { status: 200, body: stored };
    }
    if (rec.method === 'DELETE') {
      dashboards.delete(id);
      return { status: 200, body: { deleted_dashboard_id: id } };
    }
    return error(rec.path, 405, 'Method not allowed');
  }

  function monitorRoute(rec: MutableRequest, idText: string | undefined): Answer {
    const now = new Date().toISOString();
    if (idText === undefined) {
      if (rec.method === 'GET') {
        const name = rec.query.get('name')?.toLowerCase();
        const wanted = tagList(rec.query.get('monitor_tags'));
        let list = [...monitors.values()].filter((m) => {
          if (
            name !== undefined &&
            !String(m.name ?? '')
              .toLowerCase()
              .includes(name)
          )
            return false;
          const tags = Array.isArray(m.tags) ? m.tags.map(String) : [];
          return wanted.every((t) => tags.includes(t));
        });
        const page = rec.query.get('page');
        if (page !== null) {
          const size = Number(rec.query.get('page_size') ?? 100);
          list = list.slice(Number(page) * size, (Number(page) + 1) * size);
        }
        return { status: 200, body: list };
      }
      if (rec.method === 'POST') {
        const refusal = problemsRefusal(rec);
        if (refusal) return refusal;
        const id = nextMonitorId++;
        const stored: Json = {
          ...without(rec.body as Json, MONITOR_READ_ONLY),
          id,
          created: now,
          modified: now,
          creator: {
            email: 'gax-test@example.invalid',
            handle: 'gax-test@example.invalid',
            name: 'gax test',
          },
          deleted: null,
          multi: false,
          overall_state: 'No Data',
        };
        monitors.set(id, stored);
        return { status: 200, body: stored };
      }
      return error(rec.path, 405, 'Method not allowed');
    }
    if (idText === 'validate' && rec.method === 'POST') {
      return problemsRefusal(rec) ?? { status: 200, body: {} };
    }
    const id = /^\d+$/.test(idText) ? Number(idText) : Number.NaN;
    const existing = monitors.get(id);
    if (!existing) return error(rec.path, 404, 'Monitor not found');
    if (rec.method === 'GET') return { status: 200, body: existing };
    if (rec.method === 'PUT') {
      if (!isObject(rec.body)) {
        rec.problems.push('body must be an object');
        return error(rec.path, 400, 'body must be an object');
      }
      // MonitorUpdateRequest: every field optional, merged into the stored monitor.
      const merged: Json = { ...existing, ...without(rec.body, MONITOR_READ_ONLY), modified: now };
      rec.problems.push(...validate('Monitor', merged));
      const refusal = problemsRefusal(rec);
      if (refusal) return refusal;
      monitors.set(id, merged);
      return { status: 200, body: merged };
    }
    if (rec.method === 'DELETE') {
      monitors.delete(id);
      return { status: 200, body: { deleted_monitor_id: id } };
    }
    return error(rec.path, 405, 'Method not allowed');
  }

  /** `/api/v1/logs/config/pipelines[/<id>]`: list, create, get, replace (PUT replaces the whole definition), delete. */
  function pipelineRoute(rec: MutableRequest, id: string | undefined): Answer {
    if (id === undefined) {
      if (rec.method === 'GET') return { status: 200, body: [...pipelines.values()] };
      if (rec.method === 'POST') {
        const refusal = problemsRefusal(rec);
        if (refusal) return refusal;
        const newId = dashboardId(pipelines).replaceAll('-', '');
        const stored: Json = {
          ...without(rec.body as Json, PIPELINE_READ_ONLY),
          id: newId,
          is_read_only: false,
          type: 'pipeline',
        };
        pipelines.set(newId, stored);
        return { status: 200, body: stored };
      }
      return error(rec.path, 405, 'Method not allowed');
    }
    const existing = pipelines.get(id);
    if (!existing) return error(rec.path, 404, 'Pipeline not found');
    if (rec.method === 'GET') return { status: 200, body: existing };
    if (rec.method === 'PUT') {
      const refusal = problemsRefusal(rec);
      if (refusal) return refusal;
      const stored: Json = {
        ...without(rec.body as Json, PIPELINE_READ_ONLY),
        id,
        is_read_only: false,
        type: 'pipeline',
      };
      pipelines.set(id, stored);
      return { status: 200, body: stored };
    }
    if (rec.method === 'DELETE') {
      pipelines.delete(id);
      return { status: 200, body: {} };
    }
    return error(rec.path, 405, 'Method not allowed');
  }

  function route(rec: MutableRequest, bodyRefusal: Answer | undefined): Answer {
    const { method, path } = rec;
    if (method === 'GET' && path === '/api/v1/validate') {
      return apiKeyRefusal(rec) ?? { status: 200, body: { valid: true } };
    }
    const intakeRoute = method === 'POST' ? INTAKE_ROUTES.get(path) : undefined;
    if (intakeRoute) return apiKeyRefusal(rec) ?? bodyRefusal ?? intake(rec, intakeRoute.accepted);
    const crud = /^\/api\/v1\/(dashboard|monitor)(?:\/([^/]+))?\/?$/.exec(path);
    if (crud) {
      const refusal = apiKeyRefusal(rec) ?? appKeyRefusal(rec) ?? bodyRefusal;
      if (refusal) return refusal;
      const id = crud[2] === undefined ? undefined : decodeURIComponent(crud[2]);
      return crud[1] === 'dashboard' ? dashboardRoute(rec, id) : monitorRoute(rec, id);
    }
    const pipeline = /^\/api\/v1\/logs\/config\/pipelines(?:\/([^/]+))?\/?$/.exec(path);
    if (pipeline) {
      const refusal = apiKeyRefusal(rec) ?? appKeyRefusal(rec) ?? bodyRefusal;
      if (refusal) return refusal;
      return pipelineRoute(rec, pipeline[1] === undefined ? undefined : decodeURIComponent(pipeline[1]));
    }
    return error(path, 404, 'Not found');
  }

  function takeFault(path: string): DdFault | undefined {
    for (const inj of injections) {
      if (inj.remaining === 0) continue;
      const matches =
        inj.path === undefined
          ? INTAKE_PATHS.includes(path)
          : inj.path === '*' || path === inj.path || path.startsWith(`${inj.path.replace(/\/$/, '')}/`);
      if (!matches) continue;
      if (inj.remaining !== undefined) inj.remaining--;
      return inj.fault;
    }
    return undefined;
  }

  function send(res: ServerResponse, rec: MutableRequest, answer: Answer): void {
    rec.status = answer.status;
    if (res.destroyed || res.headersSent) return;
    const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...answer.headers,
    });
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec: MutableRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBytes: raw.length,
      body: undefined,
      problems: [],
      status: undefined,
      fault: undefined,
    };
    requests.push(rec);
    const bodyRefusal = parseBody(rec, raw);
    const schema = bodyRefusal || rec.body === undefined ? undefined : schemaFor(rec);
    if (schema) rec.problems.push(...validate(schema, rec.body));

    const fault = takeFault(rec.path);
    if (fault) rec.fault = fault.kind;
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') {
      const body = fault.body ?? errorBody(rec.path, fault.status, [STATUS_CODES[fault.status] ?? 'Error']);
      send(res, rec, { status: fault.status, body, ...(fault.headers ? { headers: fault.headers } : {}) });
      return;
    }
    if (fault?.kind === 'delay') {
      try {
        await sleep(fault.ms, undefined, { signal: closing.signal });
      } catch {
        return; // receiver closed
      }
    }
    send(res, rec, route(rec, bodyRefusal));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [`receiver error: ${(err as Error).message}`] }));
      }
    });
  });
  const listener = await listenOnLoopback(server);
  const { port } = listener;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(fault, opts = {}) {
      injections.push({ fault, path: opts.path, remaining: opts.times });
    },
    clear() {
      injections = [];
    },
    reset() {
      requests.length = 0;
      dashboards.clear();
      monitors.clear();
      pipelines.clear();
    },
    dashboards,
    monitors,
    pipelines,
    close() {
      closing.abort();
      return listener.close();
    },
  };
}
