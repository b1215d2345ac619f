import { type Static, Type } from '@sinclair/typebox';
import { CREDENTIAL_HEADERS } from './headers.js';

/** What happens to one personal field before a plugin sees the event. */
export type PiiAction = 'keep' | 'drop' | 'hash' | 'mask';

/** The fields PII rules cover: which event keys each stands for, and what `mask` keeps of it. */
export const PII_FIELDS = {
  userIp: {
    what: 'Client IP (`userIp`)',
    mask: 'the network: IPv4 /24 `192.0.2.0`, IPv6 /48 `2001:db8:1::`',
  },
  userName: {
    what: 'End user (`userName` and `properties.userName`)',
    mask: 'the tenant: `***@carbon.super`',
  },
  userAgent: {
    what: 'User agent (`userAgent` and the raw `userAgentHeader`)',
    mask: 'the product token: `Mozilla/5.0 (…)` → `Mozilla`',
  },
} as const;

export type PiiField = keyof typeof PII_FIELDS;

/** Shortest `hashKey`: a short key would let anyone who guesses it reverse the hashes by brute force. */
export const MIN_HASH_KEY_LENGTH = 16;

const action = (field: PiiField) =>
  Type.Union([Type.Literal('keep'), Type.Literal('drop'), Type.Literal('hash'), Type.Literal('mask')], {
    default: 'keep',
    description: `${PII_FIELDS[field].what}: \`keep\`, \`drop\` (remove the key), \`hash\` (keyed HMAC-SHA256, 32 hex digits) or \`mask\` (keeps ${PII_FIELDS[field].mask}).`,
  });

const fields = Object.keys(PII_FIELDS) as PiiField[];

/**
 * `plugins.<id>.pii`: personal data this plugin's backend must not get as is. Applied to a copy
 * of each event just before the plugin (src/pii/plugin.ts), in the daemon and in replays alike.
 */
export const PiiSchema = Type.Optional(
  Type.Object(
    {
      userIp: action('userIp'),
      userName: action('userName'),
      userAgent: action('userAgent'),
      headers: Type.Union(
        [Type.Literal('keep'), Type.Literal('drop'), Type.Literal('hash'), Type.Literal('mask')],
        {
          default: 'keep',
          description:
            'Published request and response headers named in `headerNames` (`properties.requestHeaders` / `responseHeaders`, WSO2 4.5+): `keep`, `drop` (remove the header), `hash` (keyed HMAC-SHA256) or `mask` (keeps the auth scheme: `Bearer ***`; other values `***`).',
        },
      ),
      headerNames: Type.Array(Type.String({ minLength: 1 }), {
        default: [...CREDENTIAL_HEADERS],
        description: `Header names \`headers\` applies to, case-insensitive; \`*\` names every header. Default: the credential and session headers (${CREDENTIAL_HEADERS.join(', ')}).`,
      }),
      hashKey: Type.String({
        default: '',
        secret: true,
        description: `Key of the \`hash\` action, at least ${MIN_HASH_KEY_LENGTH} characters: the same key gives the same hash in every plugin and every run, so joins across backends still work. Required when a field is hashed; write \`\${GAX_PII_KEY}\` (or set GAX_PII_KEY_FILE).`,
      }),
    },
    {
      additionalProperties: false,
      description:
        'Personal data rules for this plugin: what its backend receives of the client IP, user name, user agent and credential headers. Unset: all kept. `UNKNOWN` and empty values are kept by `hash` and `mask`. See docs/operations.md, "Security".',
      if: {
        anyOf: [...fields, 'headers'].map((f) => ({ properties: { [f]: { const: 'hash' } }, required: [f] })),
      },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema `if`/`then` keyword, not a promise
      then: {
        // hashKey may be absent here (its default is filled later): required, then long enough.
        required: ['hashKey'],
        errorMessage: {
          required: {
            hashKey: `must be set, at least ${MIN_HASH_KEY_LENGTH} characters, when a field is hashed`,
          },
        },
        properties: {
          hashKey: {
            minLength: MIN_HASH_KEY_LENGTH,
            errorMessage: `must be set, at least ${MIN_HASH_KEY_LENGTH} characters, when a field is hashed`,
          },
        },
      },
    },
  ),
);

export type PiiConfig = Static<typeof PiiSchema>;
