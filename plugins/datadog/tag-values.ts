/**
 * Bounded values of the opt-in tags whose raw field is open-ended: `user_agent` (a family from a
 * known list, else `Other`) and `error_message` (the text of the event's WSO2 error code from a
 * fixed table, never the raw message). Lookups only: the aggregator's hot path allocates nothing.
 */

/**
 * User-agent families gax keeps as they are: ua-parser's families that WSO2's gateway publishes
 * (`userAgent`) and those src/parsers/wso2-apim/user-agent.ts derives from a raw header. Any other
 * value is `Other` (ua-parser's own word for an unknown client).
 */
const USER_AGENT_FAMILIES: ReadonlySet<string> = new Set([
  'UNKNOWN',
  'Other',
  // Browsers.
  'Chrome',
  'Chrome Mobile',
  'Chrome Mobile iOS',
  'Chrome Mobile WebView',
  'Chromium',
  'Edge',
  'Edge Mobile',
  'Firefox',
  'Firefox Mobile',
  'Firefox iOS',
  'IE',
  'IE Mobile',
  'Mobile Safari',
  'Mobile Safari UI/WKWebView',
  'Opera',
  'Opera Mobile',
  'Safari',
  'Samsung Internet',
  'UC Browser',
  'Yandex Browser',
  'Android',
  // HTTP clients and tools.
  'curl',
  'Wget',
  'Python Requests',
  'Python-urllib',
  'python-httpx',
  'aiohttp',
  'okhttp',
  'PostmanRuntime',
  'insomnia',
  'HTTPie',
  'Apache-HttpClient',
  'Go-http-client',
  'axios',
  'node-fetch',
  'Java',
  // Crawlers.
  'Googlebot',
  'bingbot',
]);

/** `user_agent`: the family when it is a known one, else `Other`; `none` when absent. */
export function userAgentFamily(userAgent: string | undefined): string {
  if (userAgent === undefined) return 'none';
  return USER_AGENT_FAMILIES.has(userAgent) ? userAgent : 'Other';
}

/**
 * The message WSO2 API Manager's error handling documentation gives for each gateway error code
 * (apim.docs.wso2.com, Troubleshooting → Error Handling). Throttling codes share WSO2's message
 * "Message throttled out"; the level is added after ` - ` so they stay apart.
 */
export const WSO2_ERROR_TEXT: ReadonlyMap<number, string> = new Map([
  // Authentication (errorType AUTH).
  [900900, 'Unclassified Authentication Failure'],
  [900901, 'Invalid Credentials'],
  [900902, 'Missing Credentials'],
  [900903, 'Access Token Expired'],
  [900904, 'Access Token Inactive'],
  [900905, 'Incorrect Access Token Type is provided'],
  [900906, 'No matching resource found in the API for the given request'],
  [900907, 'The requested API is temporarily blocked'],
  [900908, 'Resource forbidden'],
  [900909, 'The subscription to the API is inactive'],
  [900910, 'The access token does not allow you to access the requested resource'],
  // Throttling (errorType THROTTLED).
  [900800, 'Message throttled out - API limit'],
  [900801, 'Hard limit exceeded'],
  [900802, 'Message throttled out - resource limit'],
  [900803, 'Message throttled out - application limit'],
  [900804, 'Message throttled out - subscription limit'],
  [900805, 'Message blocked'],
  [900806, 'Message throttled out - custom policy'],
  [900807, 'Message throttled out - burst control'],
  // Transport and endpoints (errorType TARGET_CONNECTIVITY).
  [101000, 'Receiver IO error sending'],
  [101001, 'Receiver IO error receiving'],
  [101500, 'Sender IO error sending'],
  [101501, 'Sender IO error receiving'],
  [101503, 'Connection failed'],
  [101504, 'Connection timed out'],
  [101505, 'Connection closed'],
  [101506, 'NHTTP protocol violation'],
  [101507, 'Connection canceled'],
  [101508, 'Request to establish new connection timed out'],
  [101509, 'Send abort'],
  [101510, 'Response processing failed'],
  [303000, 'Load balance endpoint not ready'],
  [303001, 'Address endpoint not ready'],
  [303002, 'WSDL endpoint not ready'],
  // Other.
  [404, 'No matching resource found for given API Request'],
  [405, 'Method not allowed'],
]);

/**
 * `error_message` of a faulty event: the text of its error code, else its `errorType`, else
 * `other`. A response event has `none`. The raw `errorMessage` is never used (unbounded).
 */
export function errorText(event: {
  readonly eventType: string;
  readonly errorCode?: number;
  readonly errorType?: string;
}): string {
  if (event.eventType !== 'faulty') return 'none';
  const text = event.errorCode === undefined ? undefined : WSO2_ERROR_TEXT.get(event.errorCode);
  return text ?? event.errorType ?? 'other';
}
