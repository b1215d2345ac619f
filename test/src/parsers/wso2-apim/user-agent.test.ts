import { describe, expect, it } from 'vitest';
import { classifyUserAgent } from '../../../../src/parsers/wso2-apim/user-agent.js';

describe('classifyUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
      'Chrome',
      'Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
      'Safari',
      'Mac OS X',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1',
      'Safari',
      'iOS',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
      'Chrome',
      'iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36',
      'Chrome',
      'Android',
    ],
    ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0', 'Firefox', 'Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.83',
      'Edge',
      'Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0',
      'Opera',
      'Windows',
    ],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
      'Samsung Internet',
      'Android',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko', 'IE', 'Windows'],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36',
      'Chrome',
      'Chrome OS',
    ],
    ['curl/8.5.0', 'curl', 'Other'],
    ['Wget/1.21.4', 'Wget', 'Other'],
    ['python-requests/2.31.0', 'Python Requests', 'Other'],
    ['Python-urllib/3.12', 'Python-urllib', 'Other'],
    ['okhttp/4.12.0', 'okhttp', 'Other'],
    ['PostmanRuntime/7.36.1', 'PostmanRuntime', 'Other'],
    ['Apache-HttpClient/4.5.14 (Java/17.0.9)', 'Apache-HttpClient', 'Other'],
    ['Go-http-client/1.1', 'Go-http-client', 'Other'],
    ['Java/17.0.9', 'Java', 'Other'],
    ['Java-http-client/21.0.1', 'Java', 'Other'],
    ['axios/1.6.7', 'axios', 'Other'],
    ['insomnia/8.6.1', 'insomnia', 'Other'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Other', 'Other'],
    ['my-internal-client', 'Other', 'Other'],
  ])('classifies %j as %s on %s', (header, userAgent, platform) => {
    expect(classifyUserAgent(header)).toEqual({ userAgent, platform });
  });

  it.each(['', '   '])('calls an empty header %j UNKNOWN, as WSO2 does', (header) => {
    expect(classifyUserAgent(header)).toEqual({ userAgent: 'UNKNOWN', platform: 'UNKNOWN' });
  });

  it('ignores letter case in the header', () => {
    expect(classifyUserAgent('CURL/8.0')).toEqual({ userAgent: 'curl', platform: 'Other' });
  });
});
