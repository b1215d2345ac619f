/**
 * Bounded values of canonical dimensions whose raw field is open-ended, shared by every plugin
 * that turns them into labels or tags (one definition, docs/metrics.md): a user-agent or
 * platform family outside a known list is `Other`, and an error is named by the text of its
 * error code (the canonical `errorCode` is WSO2's code space), never by free text. Each lookup is
 * one Set or Map probe, so hot paths allocate nothing.
 */

/**
 * User-agent families kept as they are: ua-parser's families that WSO2's gateway publishes as
 * `userAgent` (and src/parsers derive from a raw header), plus the HTTP clients seen at API
 * gateways. Any other value is `Other`, ua-parser's own word for an unknown client.
 */
export const USER_AGENT_FAMILIES: ReadonlySet<string> = new Set([
  'Other',
  'UNKNOWN',
  // Browsers.
  'Chrome',
  'Chrome Mobile',
  'Chrome Mobile iOS',
  'Chrome Mobile WebView',
  'Chromium',
  'HeadlessChrome',
  'Edge',
  'Edge Mobile',
  'Firefox',
  'Firefox Mobile',
  'Firefox iOS',
  'IE',
  'IE Mobile',
  'Mobile Safari',
  'Mobile Safari UI/WKWebView',
  'Safari',
  'Opera',
  'Opera Mobile',
  'Samsung Internet',
  'UC Browser',
  'Yandex Browser',
  'Brave',
  'Vivaldi',
  'Electron',
  'Android',
  // HTTP clients and tools.
  'curl',
  'Wget',
  'Python Requests',
  'Python-urllib',
  'python-httpx',
  'aiohttp',
  'okhttp',
  'Apache-HttpClient',
  'Java',
  'Go-http-client',
  'axios',
  'node-fetch',
  'PostmanRuntime',
  'Insomnia',
  'insomnia',
  'HTTPie',
  // Crawlers.
  'Googlebot',
  'bingbot',
]);

/** ua-parser operating-system families (`platform`); anything else is `Other`. */
export const PLATFORM_FAMILIES: ReadonlySet<string> = new Set([
  'Other',
  'UNKNOWN',
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
]);

/** `value` when it is in `families`, `absent` when there is none, else `Other`. */
export function family(families: ReadonlySet<string>, value: string | undefined, absent: string): string {
  if (value === undefined || value === '') return absent;
  return families.has(value) ? value : 'Other';
}

/**
 * The "Error Message" WSO2 API Manager's error-handling documentation gives each gateway error
 * code (apim.docs.wso2.com, Troubleshooting → Error Handling: API handler, throttling and Synapse
 * transport codes). 900807 shares 900800's text in WSO2's table; "(burst control)" keeps them apart.
 */
export const ERROR_CODE_TEXT: ReadonlyMap<number, string> = new Map([
  // Authentication (errorType AUTH).
  [900900, 'Unclassified authentication failure'],
  [900901, 'Invalid credentials'],
  [900902, 'Missing credentials'],
  [900903, 'Access token expired'],
  [900904, 'Access token inactive'],
  [900905, 'Incorrect access token type is provided'],
  [900906, 'No matching resource found in the API for the given request'],
  [900907, 'The requested API is temporarily blocked'],
  [900908, 'Resource forbidden'],
  [900909, 'The subscription to the API is inactive'],
  [900910, 'The access token does not allow you to access the requested resource'],
  // Throttling (errorType THROTTLED).
  [900800, 'Message throttled out'],
  [900801, 'Hard limit exceeded'],
  [900802, 'Resource level throttle out'],
  [900803, 'Application level throttle out'],
  [900804, 'Subscription level throttled out'],
  [900805, 'Message blocked'],
  [900806, 'Custom policy throttled out'],
  [900807, 'Message throttled out (burst control)'],
  // Transport and endpoints (errorType TARGET_CONNECTIVITY), Synapse's codes.
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

/** WSO2's fault categories (`errorType`); another value is `other`. */
const ERROR_TYPES: ReadonlySet<string> = new Set([
  'AUTH',
  'THROTTLED',
  'TARGET_CONNECTIVITY',
  'OTHER',
  'GUARDRAIL_FAULT',
]);

/**
 * The bounded name of a fault: its error code's text; for an unknown code its category
 * (`errorType`, when a known one), else `other`. Never the event's free-text message.
 */
export function errorCodeText(code: number | undefined, errorType: string | undefined): string {
  const text = code === undefined ? undefined : ERROR_CODE_TEXT.get(code);
  if (text !== undefined) return text;
  return errorType !== undefined && ERROR_TYPES.has(errorType) ? errorType : 'other';
}
