import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParse } from '../../../src/commands/parse.js';
import type { ParsedEvent } from '../../../src/parsers/format.js';
import { formatOf } from '../../../src/parsers/index.js';

const WSO2 = formatOf('wso2-apim');
const parseLine = (line: string) => WSO2.parser.parseLine(line);

const FIXTURES = fileURLToPath(new URL('../../fixtures/wso2-apim/', import.meta.url));
const SYNTHETIC = join(FIXTURES, 'SYNTHETIC_apim_metrics_fixtures.log');
const DATADOG = join(FIXTURES, 'docs-apim_datadog-guide_sample-response-line.log');
const MALFORMED = join(FIXTURES, 'malformed.log');

const PREFIX = '08:23:34,898 [-] [PassThroughMessageProcessor-188]  INFO ELKCounterMetric apimMetrics: ';

function metricLine(id: string, extra: Record<string, unknown> = {}): string {
  const record = {
    apiName: 'PetsAPI',
    correlationId: id,
    requestTimestamp: '2024-06-01T12:00:00.123Z',
    ...extra,
  };
  return `${PREFIX}apim:response, properties :${JSON.stringify(record)}`;
}

/** A writable that keeps everything; `highWaterMark` small and `delayMs` > 0 force backpressure. */
class Capture extends Writable {
  text = '';
  readonly #delayMs: number;

  constructor(options: { highWaterMark?: number; delayMs?: number } = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024, decodeStrings: false });
    this.#delayMs = options.delayMs ?? 0;
  }

  override _write(
    chunk: string | Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.text += chunk.toString();
    if (this.#delayMs > 0) setTimeout(callback, this.#delayMs);
    else callback();
  }

  lines(): unknown[] {
    return this.text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as unknown);
  }
}

async function run(
  files: readonly string[],
  options?: { maxLineBytes?: number; format?: string; hostName?: string },
  stdout = new Capture(),
) {
  const stderr = new Capture();
  const code = await runParse(files, { stdout, stderr }, options);
  return {
    code,
    events: stdout.lines() as Record<string, unknown>[],
    errors: stderr.lines(),
    stdout,
    stderr,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-parse-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('runParse', () => {
  it('writes the events of several files as NDJSON in input order and exits 0', async () => {
    const { code, events, errors } = await run([SYNTHETIC, DATADOG]);
    expect(code).toBe(0);
    expect(errors).toEqual([]);
    expect(events.map((event) => event.correlationId)).toEqual([
      '6f1b8f8e-2b9c-4a9e-9a55-0c2f3f3d7a10',
      '0d2e4c1a-9f33-4b7e-8d1c-55a0e3b9c6d2',
      '8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968',
      '11111111-2222-4333-8444-555555555555',
      'ccf2196f-9db8-429b-aaae-98f4c6edf6d7',
      '22222222-3333-4444-8555-666666666666',
      '33333333-4444-4555-8666-777777777777',
      '44444444-5555-4666-8777-888888888888',
      '02951f10-5934-456d-b608-7cd85b3f7c9d',
    ]);
  });

  it('reports each rejected line on stderr as {file, line, reason, detail} and exits 1', async () => {
    const { code, events, errors } = await run([MALFORMED]);
    expect(code).toBe(1);
    expect(events.map((event) => event.correlationId)).toEqual(['00000000-0000-4000-8000-000000000030']);
    expect(errors).toHaveLength(26);
    expect(errors[0]).toEqual({
      file: MALFORMED,
      line: 1,
      reason: 'truncated_json',
      detail: expect.stringContaining('JSON.parse') as unknown,
    });
    expect(errors).toContainEqual(expect.objectContaining({ line: 8, reason: 'unknown_metric' }));
    expect(errors).toContainEqual(expect.objectContaining({ line: 13, reason: 'missing_field' }));
  });

  it('prints nothing for skipped lines', async () => {
    const path = await file(
      'skips.log',
      '\n   \n09:12:03,114 [-] [main]  INFO ELKMetricReporter LogMetricReporter successfully initialized\n',
    );
    const { code, stdout, stderr } = await run([path]);
    expect(code).toBe(0);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('');
  });

  it('parses a final line that has no newline', async () => {
    const path = await file('no-final-newline.log', `${metricLine('a')}\n${metricLine('b')}`);
    const { code, events } = await run([path]);
    expect(code).toBe(0);
    expect(events.map((event) => event.correlationId)).toEqual(['a', 'b']);
  });

  it('handles CRLF line endings', async () => {
    const path = await file('crlf.log', `${metricLine('a')}\r\n\r\n${metricLine('b')}\r\n`);
    const { code, events } = await run([path]);
    expect(code).toBe(0);
    expect(events.map((event) => event.correlationId)).toEqual(['a', 'b']);
  });

  it('rejects a line over the limit without buffering it, with its byte count, and keeps going', async () => {
    const huge = `${PREFIX}apim:response, properties :{"x":"${'y'.repeat(300_000)}"}`;
    const path = await file(
      'long.log',
      `${metricLine('a')}\n${huge}\n${metricLine('b')}\n${'z'.repeat(5000)}`,
    );
    const { code, events, errors } = await run([path], { maxLineBytes: 4096 });
    expect(code).toBe(1);
    expect(events.map((event) => event.correlationId)).toEqual(['a', 'b']);
    expect(errors).toEqual([
      {
        file: path,
        line: 2,
        reason: 'line_too_long',
        detail: `line is ${huge.length} bytes, the limit is 4096`,
      },
      { file: path, line: 4, reason: 'line_too_long', detail: 'line is 5000 bytes, the limit is 4096' },
    ]);
  });

  it('counts the line limit in bytes, not characters', async () => {
    const line = metricLine('ü', { apiName: 'ü'.repeat(100) });
    const path = await file('utf8.log', `${line}\n`);
    const limit = Buffer.byteLength(line) - 1;
    const { errors } = await run([path], { maxLineBytes: limit });
    expect(errors).toEqual([expect.objectContaining({ line: 1, reason: 'line_too_long' })]);
  });

  it('decodes multi-byte characters split across read chunks', async () => {
    // 64 KiB reads: put a 2-byte character across the first chunk boundary, inside a long line.
    const filler = 'a'.repeat(65_536 - PREFIX.length - 100);
    const line = metricLine('split', { apiName: `${filler}é€😀` });
    const path = await file('split.log', `${line}\n`);
    const { code, events } = await run([path], { maxLineBytes: 1_000_000 });
    expect(code).toBe(0);
    expect(events[0]?.apiName).toBe(`${filler}é€😀`);
  });

  it('gives the same result as parseLine over a large file, through a slow stdout', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      i % 97 === 0 ? `${PREFIX}apim:foo, properties :{}` : metricLine(`id-${i}`, { responseLatency: i }),
    );
    const path = await file('large.log', `${lines.join('\n')}\n`);
    const slow = new Capture({ highWaterMark: 1024, delayMs: 1 });
    const { code, events, errors } = await run([path], {}, slow);
    const expected = lines.map((line) => parseLine(line)).filter((result) => result.kind === 'event');
    expect(code).toBe(1);
    expect(events).toEqual(expected.map((result) => ({ ...result.event, gateway: { type: 'wso2-apim' } })));
    expect(errors).toHaveLength(lines.length - expected.length);
  });

  it("writes each event as the format's own text with only gateway (and host) added before the closing brace", async () => {
    const { stdout } = await run([SYNTHETIC, DATADOG]);
    const text = `${await readFile(SYNTHETIC, 'utf8')}\n${await readFile(DATADOG, 'utf8')}`;
    const unstamped = text
      .split('\n')
      .map((line) => parseLine(line.replace(/\r$/, '')))
      .filter((result): result is ParsedEvent => result.kind === 'event')
      .map((result) => WSO2.eventJson?.(result) ?? JSON.stringify(result.event));
    expect(unstamped.length).toBeGreaterThan(0);
    const tail = ',"gateway":{"type":"wso2-apim"}}';
    expect(stdout.text).toBe(unstamped.map((json) => `${json.slice(0, -1)}${tail}\n`).join(''));
  });

  it('stamps host.name only when a host name is given (the files may come from any node)', async () => {
    const without = await run([DATADOG]);
    expect(without.events[0]).toMatchObject({ gateway: { type: 'wso2-apim' } });
    expect(without.events[0]).not.toHaveProperty('host');
    const named = await run([DATADOG], { hostName: 'gw-node-2' });
    expect(named.events[0]).toMatchObject({ gateway: { type: 'wso2-apim' }, host: { name: 'gw-node-2' } });
  });

  it('reads the format chosen with format, and exits 2 naming the known formats for an unknown one', async () => {
    const chosen = await run([DATADOG], { format: 'wso2-apim' });
    expect(chosen.code).toBe(0);
    expect(chosen.events).toHaveLength(1);
    const unknown = await run([DATADOG], { format: 'kong' });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout.text).toBe('');
    expect(unknown.errors).toEqual([
      { error: 'unknown format "kong"; known formats: wso2-apim', code: 'GAX_ERR_CLI_USAGE' },
    ]);
  });

  it('exits 2 for a missing file, names it, and parses nothing', async () => {
    const missing = join(dir, 'missing.log');
    const { code, stdout, errors } = await run([DATADOG, missing]);
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(errors).toEqual([
      { file: missing, error: expect.stringContaining('ENOENT') as unknown, code: 'GAX_ERR_INPUT_READ' },
    ]);
  });

  it('exits 2 for a directory', async () => {
    const { code, errors } = await run([dir]);
    expect(code).toBe(2);
    expect(errors).toEqual([{ file: dir, error: 'is a directory', code: 'GAX_ERR_INPUT_READ' }]);
  });

  it('exits 2 with a usage message when given no files', async () => {
    const { code, errors } = await run([]);
    expect(code).toBe(2);
    expect(errors).toEqual([
      { error: expect.stringContaining('usage') as unknown, code: 'GAX_ERR_CLI_USAGE' },
    ]);
  });

  it('exits 0 for an empty file', async () => {
    const path = await file('empty.log', '');
    expect((await run([path])).code).toBe(0);
  });

  it('stops without throwing when stdout fails', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE'));
      },
    });
    const stderr = new Capture();
    const lines = Array.from({ length: 5000 }, (_, i) => metricLine(`id-${i}`)).join('\n');
    const path = await file('broken-pipe.log', lines);
    await expect(runParse([path], { stdout: broken, stderr })).resolves.toBe(2);
  });
});
