/**
 * Bounded label values for the opt-in labels whose raw field could take any value: user agent
 * and platform families outside a known list become `Other`, an error becomes its WSO2 error
 * code's sub-category (never the free text), an HTTP method outside the standard ones `_OTHER`.
 * Each lookup is one Map or Set probe.
 */

/**
 * ua-parser browser families WSO2's publisher emits as `userAgent` (the common ones), plus
 * the HTTP clients seen at API gateways. Anything else is `Other`; absent is `UNKNOWN`.
 */
export const USER_AGENT_FAMILIES: ReadonlySet<string> = new Set([
  'Chrome',
  'Chrome Mobile',
  'Chrome Mobile iOS',
  'Chrome Mobile WebView',
  'Chromium',
  'Firefox',
  'Firefox Mobile',
  'Firefox iOS',
  'Safari',
  'Mobile Safari',
  'Mobile Safari UI/WKWebView',
  'Edge',
  'Edge Mobile',
  'IE',
  'IE Mobile',
  'Opera',
  'Opera Mobile',
  'Samsung Internet',
  'UC Browser',
  'Yandex Browser',
  'Brave',
  'Vivaldi',
  'Android',
  'Electron',
  'HeadlessChrome',
  'curl',
  'Wget',
  'Python Requests',
  'Python-urllib',
  'Apache-HttpClient',
  'okhttp',
  'Java',
  'Go-http-client',
  'PostmanRuntime',
  'Insomnia',
  'axios',
  'node-fetch',
  'Googlebot',
  'bingbot',
  'Other',
  'UNKNOWN',
]);

/** ua-parser operating-system families (`platform`); anything else is `Other`, absent `UNKNOWN`. */
export const PLATFORM_FAMILIES: ReadonlySet<string> = new Set([
  'Windows',
  'Mac OS X',
  'Linux',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Red Hat',
  'CentOS',
  'SUSE',
  'FreeBSD',
  'Chrome OS',
  'Android',
  'iOS',
  'iPadOS',
  'Windows Phone',
  'BlackBerry OS',
  'Tizen',
  'KaiOS',
  'Other',
  'UNKNOWN',
]);

/** `value` when in `families`; `UNKNOWN` when absent; else `Other`. */
export function family(families: ReadonlySet<string>, value: string | undefined): string {
  if (value === undefined || value === '') return 'UNKNOWN';
  return families.has(value) ? value : 'Other';
}

/**
 * WSO2 error code → the fault sub-category the gateway reports as `errorMessage`
 * (FaultCodeClassifier + FaultSubCategories; docs/metrics.md, and the WSO2 reference §3).
 */
export const ERROR_CODE_TEXT: ReadonlyMap<number, string> = new Map([
  [900900, 'AUTHENTICATION_FAILURE'],
  [900901, 'AUTHENTICATION_FAILURE'],
  [900902, 'AUTHENTICATION_FAILURE'],
  [900903, 'AUTHENTICATION_FAILURE'],
  [900904, 'AUTHENTICATION_FAILURE'],
  [900905, 'AUTHORIZATION_FAILURE'],
  [900910, 'AUTHORIZATION_FAILURE'],
  [900907, 'SUBSCRIPTION_VALIDATION_FAILURE'],
  [900908, 'SUBSCRIPTION_VALIDATION_FAILURE'],
  [900909, 'SUBSCRIPTION_VALIDATION_FAILURE'],
  [900800, 'API_LEVEL_LIMIT_EXCEEDED'],
  [900801, 'HARD_LIMIT_EXCEEDED'],
  [900802, 'RESOURCE_LEVEL_LIMIT_EXCEEDED'],
  [900803, 'APPLICATION_LEVEL_LIMIT_EXCEEDED'],
  [900804, 'SUBSCRIPTION_LIMIT_EXCEEDED'],
  [900805, 'BLOCKED'],
  [900806, 'CUSTOM_POLICY_LIMIT_EXCEEDED'],
  [900807, 'BURST_CONTROL_LIMIT_EXCEEDED'],
  [900820, 'QUERY_TOO_DEEP'],
  [900821, 'QUERY_TOO_COMPLEX'],
  [101504, 'CONNECTION_TIMEOUT'],
  [101508, 'CONNECTION_TIMEOUT'],
  [303001, 'CONNECTION_SUSPENDED'],
  [101500, 'OTHER'],
  [101503, 'OTHER'],
  [101505, 'OTHER'],
  [101506, 'OTHER'],
]);

/** WSO2's fault categories (`errorType`); another value becomes `other`. */
const ERROR_TYPES: ReadonlySet<string> = new Set([
  'AUTH',
  'THROTTLED',
  'TARGET_CONNECTIVITY',
  'OTHER',
  'GUARDRAIL_FAULT',
]);

/**
 * The `error_message` label: the error code's sub-category; for an unknown code the fault
 * category (`errorType`, when WSO2's) or `other`. Never the event's free text.
 */
export function errorMessageLabel(code: number | undefined, errorType: string | undefined): string {
  const text = code === undefined ? undefined : ERROR_CODE_TEXT.get(code);
  if (text !== undefined) return text;
  return errorType !== undefined && ERROR_TYPES.has(errorType) ? errorType : 'other';
}

/** The methods OpenTelemetry's `http.request.method` keeps; others are `_OTHER`. */
const HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** `http_request_method` per OpenTelemetry: a known method, else `_OTHER`. */
export function httpMethod(method: string | undefined): string {
  return method !== undefined && HTTP_METHODS.has(method) ? method : '_OTHER';
}
