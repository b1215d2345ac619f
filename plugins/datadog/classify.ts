import { DELIVERED, type EventResult, rejected, retryable } from '../../src/plugin/result.js';

/** What a Datadog API request came to: a status (undefined when no response came) and why. */
export interface DdOutcome {
  readonly status?: number;
  readonly message: string;
  /** From `X-RateLimit-Reset` (seconds) or `Retry-After`, when Datadog sent one. */
  readonly retryAfterMs?: number;
}

/**
 * A request's outcome → the result of every event it carried. 429 (with its rate-limit reset),
 * 408, 5xx and network failures are transient; 401/403 need an operator (API key, site) and are
 * retried meanwhile, never dropped; any other 4xx is Datadog refusing the payload: the events
 * are dead-lettered with Datadog's message.
 */
export function classifyOutcome(outcome: DdOutcome): EventResult {
  const { status } = outcome;
  if (status !== undefined && status >= 200 && status < 300) return DELIVERED;
  const reason = status === undefined ? outcome.message : `datadog ${status}: ${outcome.message}`;
  if (status === undefined || status === 429 || status === 408 || status >= 500) {
    return retryable(reason, outcome.retryAfterMs);
  }
  if (status === 401 || status === 403) return retryable(`${reason} (check the API key and site)`);
  return rejected(reason);
}

/** Datadog's error body (`{"errors": ["…"]}`) or text → one line. */
export function errorMessage(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 500);
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ').slice(0, 500);
  return JSON.stringify(body)?.slice(0, 500) ?? 'no body';
}

/** `X-RateLimit-Reset` (seconds until the limit resets) or `Retry-After` → milliseconds. */
export function rateLimitDelay(
  headers: { get(name: string): string | null } | undefined,
): number | undefined {
  const value = headers?.get('x-ratelimit-reset') ?? headers?.get('retry-after') ?? null;
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Math.ceil(Number(value) * 1000);
}
