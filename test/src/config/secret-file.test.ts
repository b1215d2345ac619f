// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigResult, parseConfig, redactConfig, secretValues } from '../../../src/config/load.js';

const minimal = 'inputs:\n  - paths: ["/var/log/apim_metrics.log"]\n';
const load = (extra: string, env: Record<string, string | undefined>) =>
  parseConfig(`${minimal}${extra}\n`, { env });

function ok(result: ConfigResult) {
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.problems)}`);
  return result;
}

function problems(result: ConfigResult) {
  if (result.ok) throw new Error('expected problems, the config loaded');
  return result.problems;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-secret-file-'));
  await writeFile(join(dir, 'dd-key'), 'dd-key-from-file\n');
  await writeFile(join(dir, 'crlf'), 'pw-from-file\r\n');
  await writeFile(join(dir, 'two-lines'), 'first\nsecond\n\n');
  await writeFile(join(dir, 'port'), '9100\n');
  await writeFile(join(dir, 'big'), 'x'.repeat(70_000));
  await mkdir(join(dir, 'a-directory'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('${NAME} from NAME_FILE', () => {
  it('reads the value from the file NAME_FILE names, without the trailing newline', () => {
    const { config } = ok(
      load('plugins: { datadog: { apiKey: "${DD_API_KEY}" } }', {
        DD_API_KEY_FILE: join(dir, 'dd-key'),
      }),
    );
    expect(config.plugins.datadog.apiKey).toBe('dd-key-from-file');
  });

  it('trims one trailing CRLF or LF only', () => {
    const env = { PW_FILE: join(dir, 'crlf'), TXT_FILE: join(dir, 'two-lines') };
    const { config } = ok(
      load(
        'server: { basicAuth: { username: scraper, password: "${PW}" } }\nplugins: { datadog: { logs: { source: "${TXT}" } } }',
        env,
      ),
    );
    expect(config.server.basicAuth?.password).toBe('pw-from-file');
    expect(config.plugins.datadog.logs.source).toBe('first\nsecond\n');
  });

  it('gives a whole-scalar reference the type the key expects, as a variable would', () => {
    const { config } = ok(load('server:\n  port: ${PORT}', { PORT_FILE: join(dir, 'port') }));
    expect(config.server.port).toBe(9100);
  });

  it('is used for ${NAME:-default} too, the default only when neither is set', () => {
    const extra = 'plugins: { datadog: { apiKey: "${DD_API_KEY:-none}" } }';
    expect(ok(load(extra, { DD_API_KEY_FILE: join(dir, 'dd-key') })).config.plugins.datadog.apiKey).toBe(
      'dd-key-from-file',
    );
    expect(ok(load(extra, {})).config.plugins.datadog.apiKey).toBe('none');
  });

  it('does not warn about a secret taken from a file', () => {
    const { warnings } = ok(
      load('plugins: { datadog: { enabled: false, apiKey: "${DD_API_KEY}" } }', {
        DD_API_KEY_FILE: join(dir, 'dd-key'),
      }),
    );
    expect(warnings).toEqual([]);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing'), 'cannot read DD_API_KEY_FILE', 'ENOENT'],
    ['a directory', () => join(dir, 'a-directory'), 'cannot read DD_API_KEY_FILE', 'not a regular file'],
    ['a file over 64 KiB', () => join(dir, 'big'), 'cannot read DD_API_KEY_FILE', 'larger than 65536 bytes'],
  ])('reports %s as a problem at the key that refers to it', (_name, file, start, reason) => {
    const found = problems(
      load('plugins: { datadog: { enabled: false, apiKey: "${DD_API_KEY}" } }', { DD_API_KEY_FILE: file() }),
    );
    expect(found).toMatchObject([
      { path: 'plugins.datadog.apiKey', code: 'GAX_ERR_CONFIG_ENV_FILE', line: 3 },
    ]);
    expect(found[0]?.message).toContain(start);
    expect(found[0]?.message).toContain(reason);
  });

  it('refuses NAME and NAME_FILE both set, whichever is empty', () => {
    for (const value of ['from-env', '']) {
      const env = { DD_API_KEY: value, DD_API_KEY_FILE: join(dir, 'dd-key') };
      const found = problems(load('plugins: { datadog: { apiKey: "${DD_API_KEY}" } }', env));
      expect(found).toMatchObject([
        {
          path: 'plugins.datadog.apiKey',
          message: 'both DD_API_KEY and DD_API_KEY_FILE are set; set only one of them',
          code: 'GAX_ERR_CONFIG_ENV_FILE',
        },
      ]);
    }
  });

  it('names NAME_FILE in the message about an unset variable', () => {
    const [found] = problems(load('plugins: { datadog: { apiKey: "${DD_API_KEY}" } }', {}));
    expect(found?.message).toContain('DD_API_KEY_FILE');
  });
});

describe('secretValues', () => {
  it('lists every secret, file-read ones included, and the Basic form of each user and password', () => {
    const text = [
      'server: { basicAuth: { username: scraper, password: "${METRICS_PW}" } }',
      'plugins:',
      '  elasticsearch: { auth: { username: elastic, password: "${ES_PW}" } }',
      '  datadog: { apiKey: "${DD_API_KEY}" }',
      '  file: { pii: { userName: hash, hashKey: "${GAX_PII_KEY}" } }',
    ].join('\n');
    const env = {
      METRICS_PW: 'metrics-pw',
      ES_PW: 'es-pw',
      DD_API_KEY_FILE: join(dir, 'dd-key'),
      GAX_PII_KEY: '0123456789abcdef-key',
    };
    const { config } = ok(load(text, env));
    expect(new Set(secretValues(config))).toEqual(
      new Set([
        'metrics-pw',
        'es-pw',
        'dd-key-from-file',
        '0123456789abcdef-key',
        Buffer.from('scraper:metrics-pw').toString('base64'),
        Buffer.from('elastic:es-pw').toString('base64'),
      ]),
    );
    expect(JSON.stringify(redactConfig(config))).not.toMatch(/metrics-pw|es-pw|dd-key-from-file|abcdef-key/);
  });

  it('redacts the password of a URL in --print output', () => {
    const { config } = ok(
      load('plugins: { elasticsearch: { node: "https://elastic:url-pw@es.internal:9200" } }', {}),
    );
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('url-pw');
    expect(printed).toContain('https://elastic:<redacted>@es.internal:9200');
  });
});
