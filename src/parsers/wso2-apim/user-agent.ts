/**
 * A small user-agent classifier with ua-parser family semantics, for records that carry the raw
 * `User-Agent` header (`userAgentHeader`: WSO2 APK, APIM 4.1.0 GA) instead of the families the
 * Synapse gateway publishes. WSO2 uses ua-parser's `userAgent.family` and `os.family`, `UNKNOWN`
 * for an empty header; ua-parser says `Other` for a header it does not recognise. The families
 * named here are the ones ua-parser uses, folded where ua-parser splits (`Chrome Mobile` → `Chrome`).
 */

export interface UserAgentFamilies {
  /** Browser or client family, e.g. `Chrome`, `curl`, `Other`, `UNKNOWN`. */
  readonly userAgent: string;
  /** Operating-system family, e.g. `Windows`, `Mac OS X`, `Other`, `UNKNOWN`. */
  readonly platform: string;
}

export const UNKNOWN_FAMILY = 'UNKNOWN';
export const OTHER_FAMILY = 'Other';

/**
 * Lower-case needles, first match wins. Order matters: HTTP libraries before `java/` (Apache
 * HttpClient names its JVM), Edge/Opera/Samsung before Chrome (they all say `Chrome/`), Chrome
 * before Safari (Chrome says `Safari/`).
 */
const CLIENTS: readonly (readonly [needle: string, family: string])[] = [
  ['curl/', 'curl'],
  ['wget/', 'Wget'],
  ['python-requests/', 'Python Requests'],
  ['python-urllib/', 'Python-urllib'],
  ['python-httpx/', 'python-httpx'],
  ['aiohttp/', 'aiohttp'],
  ['okhttp/', 'okhttp'],
  ['postmanruntime/', 'PostmanRuntime'],
  ['insomnia/', 'insomnia'],
  ['httpie/', 'HTTPie'],
  ['apache-httpclient/', 'Apache-HttpClient'],
  ['go-http-client/', 'Go-http-client'],
  ['axios/', 'axios'],
  ['node-fetch', 'node-fetch'],
  ['java-http-client/', 'Java'],
  ['java/', 'Java'],
  ['edg/', 'Edge'],
  ['edga/', 'Edge'],
  ['edgios/', 'Edge'],
  ['edge/', 'Edge'],
  ['opr/', 'Opera'],
  ['opera', 'Opera'],
  ['samsungbrowser/', 'Samsung Internet'],
  ['firefox/', 'Firefox'],
  ['fxios/', 'Firefox'],
  ['crios/', 'Chrome'],
  ['chrome/', 'Chrome'],
  ['chromium/', 'Chromium'],
  ['msie ', 'IE'],
  ['trident/', 'IE'],
  ['safari/', 'Safari'],
];

/** Order matters: iOS and Android before Mac OS X and Linux (their headers say `like Mac OS X`, `Linux`). */
const SYSTEMS: readonly (readonly [needle: string, family: string])[] = [
  ['windows', 'Windows'],
  ['iphone', 'iOS'],
  ['ipad', 'iOS'],
  ['ipod', 'iOS'],
  ['android', 'Android'],
  ['cros ', 'Chrome OS'],
  ['mac os x', 'Mac OS X'],
  ['macintosh', 'Mac OS X'],
  ['linux', 'Linux'],
];

/** Browser/client and OS families of a raw `User-Agent` header. */
export function classifyUserAgent(header: string): UserAgentFamilies {
  const ua = header.trim().toLowerCase();
  if (ua.length === 0) return { userAgent: UNKNOWN_FAMILY, platform: UNKNOWN_FAMILY };
  return { userAgent: firstMatch(ua, CLIENTS), platform: firstMatch(ua, SYSTEMS) };
}

function firstMatch(ua: string, table: readonly (readonly [string, string])[]): string {
  for (const [needle, family] of table) {
    if (ua.includes(needle)) return family;
  }
  return OTHER_FAMILY;
}
