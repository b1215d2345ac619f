/**
 * Bulk answers of a search engine (Elasticsearch, OpenSearch: the same `_bulk` API) → one result
 * per document. `backend` names the engine in the reasons (`opensearch 400 mapper_parsing_exception: …`).
 */
import { DELIVERED, type EventResult, rejected, retryable } from '../plugin/result.js';

/** What happened to one document, for the plugin's own metrics. */
export type ItemOutcome = 'created' | 'duplicate' | 'retryable' | 'rejected';

export interface ClassifiedItem {
  readonly outcome: ItemOutcome;
  readonly result: EventResult;
  /** The engine's error type (`mapper_parsing_exception`…), `none` when it succeeded. */
  readonly errorType: string;
}

/** One item of a bulk response (`items[i].create`). */
export interface BulkItem {
  readonly status: number;
  /** The concrete index written to (a data stream's backing index). */
  readonly _index?: string;
  readonly error?: BulkError;
}

export interface BulkError {
  readonly type?: string;
  readonly reason?: string | null;
  readonly caused_by?: BulkError;
}

const CREATED: ClassifiedItem = { outcome: 'created', result: DELIVERED, errorType: 'none' };
const DUPLICATE: ClassifiedItem = {
  outcome: 'duplicate',
  result: DELIVERED,
  errorType: 'version_conflict_engine_exception',
};

/**
 * One bulk item → its result. A 409 on `create` means the document (same deterministic `_id`)
 * is already indexed: delivered. 429 and 5xx are transient. 401/403/404 need an operator
 * (privileges, a missing index with auto-create off), not a dead letter: retried, and readiness
 * shows the plugin failing. Any other 4xx is about this document (mapping, parsing): rejected
 * with the engine's reason, so it goes to the dead-letter file.
 */
export function classifyBulkItem(item: BulkItem, backend: string): ClassifiedItem {
  const { status } = item;
  if (status >= 200 && status < 300) return CREATED;
  if (status === 409) return DUPLICATE;
  const errorType = item.error?.type ?? `http_${status}`;
  const reason = `${backend} ${status} ${describe(item.error)}`;
  if (
    status === 429 ||
    status >= 500 ||
    status === 401 ||
    status === 403 ||
    status === 404 ||
    status === 408
  ) {
    return { outcome: 'retryable', result: retryable(reason), errorType };
  }
  return { outcome: 'rejected', result: rejected(reason), errorType };
}

/** `type: reason (caused by type: reason)`, as one line. */
export function describe(error: BulkError | undefined): string {
  if (error === undefined) return 'error';
  const reason = (error.reason ?? '').split('\n')[0]?.trim() ?? '';
  const head = `${error.type ?? 'error'}: ${reason}`.trim();
  const cause = error.caused_by;
  return cause === undefined ? head : `${head} (caused by ${describe(cause)})`;
}

/** What a whole bulk request's failure means for each of its documents. */
export interface RequestFailure {
  readonly statusCode?: number;
  readonly name: string;
  readonly message: string;
  readonly retryAfterMs?: number;
}

/**
 * A failed bulk request → the result for each of its documents. Connection errors, timeouts,
 * 429 and 5xx are transient; so are 401/403/404 (an operator fixes them; nothing is lost
 * meanwhile). A 400 for the whole request means its body was refused: the documents are
 * dead-lettered with the reason rather than retried forever.
 */
export function classifyBulkFailure(failure: RequestFailure, backend: string): EventResult {
  const { statusCode, retryAfterMs } = failure;
  const reason =
    statusCode === undefined
      ? `${failure.name}: ${failure.message}`
      : `${backend} ${statusCode}: ${failure.message}`;
  if (statusCode === undefined || statusCode >= 500 || statusCode === 429 || statusCode === 408) {
    return retryable(reason, retryAfterMs);
  }
  if (statusCode === 401 || statusCode === 403 || statusCode === 404) return retryable(reason);
  return rejected(reason);
}

/** `Retry-After` in seconds or as an HTTP date → milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A response error of an engine's client, as both clients (Elasticsearch, OpenSearch) carry it. */
export interface ErrorResponse {
  readonly name: string;
  readonly message: string;
  readonly statusCode: number | null | undefined;
  readonly headers: Record<string, unknown> | null | undefined;
  readonly body: unknown;
}

/** A response error → what classify needs: status, name, a one-line message, Retry-After. */
export function responseFailure(err: ErrorResponse): RequestFailure {
  const header = err.headers?.['retry-after'] as string | string[] | undefined;
  const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
  return {
    statusCode: err.statusCode ?? 0,
    name: err.name,
    message: errorText(err),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** Any other thrown value (a connection error, a timeout) → a failure without a status. */
export function thrownFailure(err: unknown): RequestFailure {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

function errorText(err: ErrorResponse): string {
  const body = err.body as { error?: { type?: string; reason?: string } | string } | string | undefined;
  if (typeof body === 'string') return body.slice(0, 500);
  const error = body?.error;
  if (typeof error === 'string') return error.slice(0, 500);
  if (error?.type !== undefined) return `${error.type}: ${error.reason ?? ''}`;
  return err.message.slice(0, 500);
}
