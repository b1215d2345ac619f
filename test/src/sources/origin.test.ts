import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/commands/replay.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { Daemon } from '../../../src/daemon.js';
import { formatOf } from '../../../src/parsers/index.js';
import { eventOrigin } from '../../../src/parsers/origin.js';
import type { DeadLetterRecord } from '../../../src/pipeline/dead-letter.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { createIngest } from '../../../src/sources/ingest.js';
import { LineSplitter, type SplitLine } from '../../../src/sources/line-splitter.js';
import { createInputTelemetry } from '../../../src/telemetry/events.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../../src/telemetry/metrics.js';
import { readNdjson, waitFor } from '../../helpers/daemon.js';
import { faultyLine, INIT_LINE, responseLine, truncatedLine } from '../../helpers/lines.js';

let dir: string;
let daemon: Daemon | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-origin-'));
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

type Stamped = CanonicalEvent & { gateway?: { type: string }; host?: { name: string } };

/** Runs `text` through one reader (createIngest) and returns the events it accepted. */
async function ingestText(text: string, hostName: string | undefined) {
  const accepted: CanonicalEvent[] = [];
  const rejected: DeadLetterRecord[] = [];
  const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false });
  const ingest = createIngest({
    plugin: 'file',
    parser: formatOf('wso2-apim').parser,
    origin: eventOrigin('wso2-apim', hostName),
    maxLineBytes: 1 << 20,
    pipeline: { accept: async (events) => void accepted.push(...events) },
    deadLetter: { write: async (records) => void rejected.push(...records) },
    metrics,
    telemetry: createInputTelemetry(metrics, silentLogger()),
  });
  const lines: SplitLine[] = [];
  new LineSplitter({ maxLineBytes: 1 << 20 }).push(Buffer.from(text), lines);
  await ingest({ sourceId: 'log', path: 'log', lines, endOffset: text.length, bytes: text.length });
  return { accepted, rejected, metrics };
}

describe('event origin (gateway.type, host.name)', () => {
  it('is stamped by the reader on every event, one shared frozen object per input', async () => {
    const text = `${responseLine('r1')}\n${faultyLine('f1')}\n`;
    const { accepted } = await ingestText(text, 'gw-1');
    expect(accepted.map((e) => [e.correlationId, e.gateway, e.host])).toEqual([
      ['r1', { type: 'wso2-apim' }, { name: 'gw-1' }],
      ['f1', { type: 'wso2-apim' }, { name: 'gw-1' }],
    ]);
    expect(accepted[0]?.gateway).toBe(accepted[1]?.gateway);
    expect(accepted[0]?.host).toBe(accepted[1]?.host);
    expect(Object.isFrozen(accepted[0]?.gateway)).toBe(true);
  });

  it('is kept with each rejected line, so the dead-letter tools re-parse it as its reader would', async () => {
    const { rejected } = await ingestText(`${responseLine('r1')}\n${truncatedLine('t1')}\n`, 'gw-2');
    const parse = rejected.filter((r) => r.stage === 'parse');
    expect(parse).toHaveLength(1);
    expect(parse[0]).toMatchObject({ format: 'wso2-apim', host: 'gw-2' });
    const { rejected: noHost } = await ingestText(`${truncatedLine('t2')}\n`, undefined);
    expect(noHost[0]).toMatchObject({ format: 'wso2-apim' });
    expect(noHost[0]).not.toHaveProperty('host');
  });

  it('leaves host absent when the reader has no host name (never faked)', async () => {
    const { accepted } = await ingestText(`${responseLine('r1')}\n`, undefined);
    expect(accepted[0]?.gateway).toEqual({ type: 'wso2-apim' });
    expect(accepted[0]).not.toHaveProperty('host');
  });

  it("counts skipped lines by the format's own reasons and events by eventType", async () => {
    const text = `${INIT_LINE}\n\n${responseLine('r1')}\n${faultyLine('f1')}\n${faultyLine('f2')}\n`;
    const { metrics } = await ingestText(text, undefined);
    const skipped = (await metrics.linesSkipped.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(skipped.sort()).toEqual([
      ['blank', 1],
      ['not_metric', 1],
    ]);
    const parsed = (await metrics.eventsParsed.get()).values.map((v) => [v.labels.event_type, v.value]);
    expect(parsed.sort()).toEqual([
      ['faulty', 2],
      ['response', 1],
    ]);
  });

  it('gax run: host.name is inputs[].hostName, else the host name of this machine', async () => {
    await mkdir(join(dir, 'logs'));
    await mkdir(join(dir, 'other'));
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${responseLine('local-1')}\n`);
    await writeFile(join(dir, 'other', 'apim_metrics.log'), `${responseLine('remote-1')}\n`);
    daemon = new Daemon({ config: twoInputs(), logger: silentLogger(), version: 'test' });
    await daemon.start();
    const out = join(dir, 'out', 'events.ndjson');
    await waitFor(async () => (await readNdjson(out)).length === 2, 10_000, 'two events');
    const events = await readNdjson<Stamped>(out);
    const byId = new Map(events.map((e) => [e.correlationId, e]));
    expect(byId.get('local-1')).toMatchObject({ gateway: { type: 'wso2-apim' }, host: { name: hostname() } });
    expect(byId.get('remote-1')).toMatchObject({
      gateway: { type: 'wso2-apim' },
      host: { name: 'apim-gw-2' },
    });
  });

  it('gax replay: host.name is absent unless a host name is given; gateway.type is always set', async () => {
    const log = join(dir, 'old.log');
    await writeFile(log, `${responseLine('r1')}\n`);
    const io = { stdout: devNull(), stderr: devNull() };
    const results: Stamped[][] = [];
    for (const hostName of [undefined, 'apim-gw-3']) {
      const out = join(dir, `replay-${results.length}.ndjson`);
      const config = join(dir, `replay-${results.length}.yaml`);
      await writeFile(
        config,
        [
          'inputs: [{ paths: [logs/apim_metrics.log], hostName: not-used-by-replay }]',
          'state: { dir: state }',
          'server: { enabled: false }',
          'log: { level: error, format: json }',
          'plugins:',
          `  file: { enabled: true, path: ${JSON.stringify(out)} }`,
          '',
        ].join('\n'),
      );
      const code = await runReplay(
        { config, files: [log], ...(hostName === undefined ? {} : { hostName }) },
        io,
      );
      expect(code).toBe(0);
      results.push(await readNdjson<Stamped>(out));
    }
    expect(results[0]?.[0]?.gateway).toEqual({ type: 'wso2-apim' });
    expect(results[0]?.[0]).not.toHaveProperty('host');
    expect(results[1]?.[0]).toMatchObject({ gateway: { type: 'wso2-apim' }, host: { name: 'apim-gw-3' } });
  });
});

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

/** A daemon config reading two inputs: `logs/` (no hostName) and `other/` (hostName apim-gw-2). */
function twoInputs(): Config {
  const q = JSON.stringify;
  const loaded = parseConfig(
    [
      'inputs:',
      `  - paths: [${q(join(dir, 'logs', 'apim_metrics.log'))}]`,
      '    pollIntervalMs: 20',
      `  - paths: [${q(join(dir, 'other', 'apim_metrics.log'))}]`,
      '    pollIntervalMs: 20',
      '    hostName: apim-gw-2',
      `state: { dir: ${q(join(dir, 'state'))} }`,
      'server: { enabled: false }',
      'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000 }',
      'log: { level: warn, format: json }',
      'plugins:',
      `  file: { enabled: true, path: ${q(join(dir, 'out', 'events.ndjson'))} }`,
    ].join('\n'),
    { env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}
