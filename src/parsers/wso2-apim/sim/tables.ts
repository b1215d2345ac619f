/**
 * Static reference data of the simulated gateway: API and application names, AI vendors, client
 * devices, content types, API versions, and the weighted fault and status-code tables.
 */

import { goString, gsonString } from './gson.js';
import type { Random, Weighted } from './random.js';
import { weighted } from './random.js';

interface AiVendor {
  vendorName: string;
  vendorVersion: string;
  models: readonly string[];
  destination: string;
  apiName: string;
  slug: string;
}

/** ua-parser families (Gson literals) and the raw `User-Agent` header (a Go literal, for APK lines). */
export interface Device {
  userAgent: string;
  platform: string;
  header: string;
}

export const API_WORDS = (
  'Orders Catalog Payments Customers Inventory Shipping Accounts Invoices Pricing Reviews ' +
  'Notifications Search Profiles Loyalty Stores Carts Returns Tickets Weather Maps PizzaShack Pets ' +
  'Bookings Flights Hotels Claims Policies Quotes Devices Telemetry Documents Reports Employees ' +
  'Payroll Vehicles Parcels Recipes Courses Events Media'
).split(' ');
export const APP_NAMES = (
  'DefaultApplication WebShop MobileApp PartnerPortal Assistant BackOffice AnalyticsJob ' +
  'CheckoutService IoTGateway CRMSync SupportDesk KioskApp BillingBatch DataLake FieldSales ' +
  'Marketplace WearableApp ChatBot ReportingTool SmartHome'
).split(' ');
export const USER_NAMES = (
  'admin alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert ' +
  'sybil trent victor walter'
).split(' ');
export const AI_VENDORS: readonly AiVendor[] = [
  {
    vendorName: 'OpenAI',
    vendorVersion: '1.0.0',
    models: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'],
    destination: 'https://api.openai.com/v1',
    apiName: 'OpenAIProxy',
    slug: 'openai-proxy',
  },
  {
    vendorName: 'MistralAI',
    vendorVersion: '1.0.0',
    models: ['mistral-small-latest', 'mistral-large-latest'],
    destination: 'https://api.mistral.ai/v1',
    apiName: 'MistralProxy',
    slug: 'mistral-proxy',
  },
  {
    vendorName: 'AzureOpenAI',
    vendorVersion: '2024-06-01',
    models: ['gpt-4o', 'gpt-35-turbo'],
    destination: 'https://contoso.openai.azure.com/openai/deployments/gpt-4o?api-version=2024-06-01',
    apiName: 'AzureOpenAIProxy',
    slug: 'azure-openai',
  },
];
/** [ua-parser family, OS family, raw User-Agent header, weight]. */
const DEVICE_TABLE: readonly (readonly [string, string, string, number])[] = [
  [
    'Chrome',
    'Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    20,
  ],
  [
    'Chrome',
    'Mac OS X',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    10,
  ],
  [
    'Mobile Safari',
    'iOS',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    8,
  ],
  [
    'Chrome Mobile',
    'Android',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    8,
  ],
  ['Firefox', 'Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 4],
  ['curl', 'Other', 'curl/8.5.0', 8],
  ['Python Requests', 'Other', 'python-requests/2.31.0', 6],
  ['okhttp', 'Other', 'okhttp/4.12.0', 6],
  ['PostmanRuntime', 'Other', 'PostmanRuntime/7.37.3', 4],
  ['Apache-HttpClient', 'Other', 'Apache-HttpClient/4.5.14 (Java/17.0.10)', 4],
  ['Other', 'Other', 'Go-http-client/1.1', 3],
  ['UNKNOWN', 'UNKNOWN', '', 1],
];
export const DEVICES: Weighted<Device> = weighted(
  DEVICE_TABLE.map(([ua, os, header, w]) => [
    { userAgent: gsonString(ua), platform: gsonString(os), header: goString(header) },
    w,
  ]),
);
export const CONTENT_TYPES = weighted([
  ['application/json', 6],
  ['application/json; charset=UTF-8', 3],
  ['application/xml', 0.6],
  ['text/plain', 0.4],
] as const);
export const API_VERSIONS = weighted([
  ['1.0.0', 6],
  ['2.1.0', 2],
  ['v1', 1],
  ['1.2.3', 1],
] as const);

type ErrorType = 'AUTH' | 'THROTTLED' | 'TARGET_CONNECTIVITY' | 'OTHER';

export interface Fault {
  errorType: ErrorType;
  errorCode: number;
  errorMessage: string;
  proxyCode: number;
  /** ms between request start and the log line. */
  delay: (r: Random) => number;
}

const quick = (r: Random): number => 1 + r.int(6);
export const FAULTS: Weighted<Fault> = weighted<Fault>(
  (
    [
      ['AUTH', 900901, 'AUTHENTICATION_FAILURE', 401, 14, quick],
      ['AUTH', 900902, 'AUTHENTICATION_FAILURE', 401, 12, quick],
      ['AUTH', 900903, 'AUTHENTICATION_FAILURE', 401, 5, quick],
      ['AUTH', 900904, 'AUTHENTICATION_FAILURE', 401, 1, quick],
      ['AUTH', 900905, 'AUTHORIZATION_FAILURE', 401, 1, quick],
      ['AUTH', 900910, 'AUTHORIZATION_FAILURE', 403, 3, quick],
      ['AUTH', 900908, 'SUBSCRIPTION_VALIDATION_FAILURE', 403, 1, quick],
      ['THROTTLED', 900800, 'API_LEVEL_LIMIT_EXCEEDED', 429, 8, quick],
      ['THROTTLED', 900801, 'HARD_LIMIT_EXCEEDED', 503, 1, quick],
      ['THROTTLED', 900802, 'RESOURCE_LEVEL_LIMIT_EXCEEDED', 429, 5, quick],
      ['THROTTLED', 900803, 'APPLICATION_LEVEL_LIMIT_EXCEEDED', 429, 10, quick],
      ['THROTTLED', 900804, 'SUBSCRIPTION_LIMIT_EXCEEDED', 429, 8, quick],
      ['THROTTLED', 900806, 'CUSTOM_POLICY_LIMIT_EXCEEDED', 429, 2, quick],
      ['THROTTLED', 900807, 'BURST_CONTROL_LIMIT_EXCEEDED', 429, 4, quick],
      ['TARGET_CONNECTIVITY', 101504, 'CONNECTION_TIMEOUT', 504, 8, (r: Random) => 30_000 + r.int(40)],
      ['TARGET_CONNECTIVITY', 101508, 'CONNECTION_TIMEOUT', 504, 2, (r: Random) => 20_000 + r.int(40)],
      ['TARGET_CONNECTIVITY', 101503, 'OTHER', 503, 6, (r: Random) => 2 + r.int(200)],
      ['TARGET_CONNECTIVITY', 303001, 'CONNECTION_SUSPENDED', 503, 4, (r: Random) => r.int(3)],
      ['OTHER', 404, 'RESOURCE_NOT_FOUND', 404, 5, quick],
      ['OTHER', 405, 'METHOD_NOT_ALLOWED', 405, 1, quick],
      ['OTHER', 500, 'UNCLASSIFIED', 500, 2, (r: Random) => 2 + r.int(30)],
      ['OTHER', 500, 'UNCLASSIFIED', 400, 1, quick],
    ] as const
  ).map(([errorType, errorCode, errorMessage, proxyCode, w, delay]) => [
    { errorType, errorCode, errorMessage, proxyCode, delay },
    w,
  ]),
);

/** `'200:92 404:3.5'` → status codes weighted 92 : 3.5. */
const codes = (spec: string): Weighted<number> =>
  weighted(spec.split(' ').map((pair) => pair.split(':').map(Number) as [number, number]));

/** Backend status by HTTP method (relayed to the client as both target and proxy code). */
export const STATUS: Record<string, Weighted<number>> = {
  GET: codes('200:92 404:3.5 400:1.5 401:0.3 500:1.2 502:0.2 503:0.8'),
  POST: codes('201:70 200:20 400:6 409:1 500:2 503:1'),
  PUT: codes('200:90 400:5 404:3 500:2'),
  DELETE: codes('204:85 404:10 500:5'),
  AI: codes('200:97 400:1 429:1 500:0.7 503:0.3'),
};
export const STATUS_OTHER = codes('200:90 400:5 404:3 500:2');
