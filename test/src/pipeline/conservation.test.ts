import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatOf } from '../../../src/parsers/index.js';
import { eventOrigin } from '../../../src/parsers/origin.js';
import { DeadLetterWriter } from '../../../src/pipeline/dead-letter.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { noopPipelineTelemetry } from '../../../src/pipeline/telemetry.js';
import { DELIVERED, rejected, retryable } from '../../../src/plugin/result.js';
import { createIngest } from '../../../src/sources/ingest.js';
import { LineSplitter, type SplitLine } from '../../../src/sources/line-splitter.js';
import { createInputTelemetry } from '../../../src/telemetry/events.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../../src/telemetry/metrics.js';
import { FakeClock } from '../../doubles/fake-clock.js';
import { RecordingPlugin, ScriptedPlugin } from '../../doubles/plugins.js';
import { faultyLine, INIT_LINE, responseLine, truncatedLine } from '../../helpers/lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-conservation-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** N metric lines: every 10th truncated (rejected by the parser), the rest valid; plus non-metric lines. */
function buildLog(n: number): { text: string; metricLines: number; badLines: number } {
  const lines: string[] = [INIT_LINE];
  let bad = 0;
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) {
      lines.push(truncatedLine(`id-${i}`));
      bad++;
    } else lines.push(i % 3 === 0 ? faultyLine(`id-${i}`) : responseLine(`id-${i}`));
    if (i % 50 === 0) lines.push('');
  }
  return { text: `${lines.join('\n')}\n`, metricLines: n, badLines: bad };
}

describe('pipeline conservation', () => {
  it('accounts for every input line exactly once per plugin while one plugin fails', async () => {
    const n = 5000;
    const log = buildLog(n);
    const good = new RecordingPlugin();
    // The failing plugin rejects ids ending in 7, fails ids ending in 3 forever (exhausted),
    // and fails everything else twice before delivering.
    const failing = new ScriptedPlugin((event, attempt) => {
      if (event.correlationId.endsWith('7')) return rejected('mapping conflict');
      if (event.correlationId.endsWith('3')) return retryable('503');
      return attempt <= 2 ? retryable('429') : DELIVERED;
    });
    const deadLetter = new DeadLetterWriter({ path: join(dir, 'dead.ndjson'), maxBytes: 1e9 });
    const commits: number[] = [];
    const pipeline = new Pipeline({
      plugins: [
        { id: 'good', plugin: good },
        { id: 'failing', plugin: failing },
      ],
      batchMaxEvents: 128,
      batchMaxWaitMs: 5,
      queueMaxBatches: 4,
      retry: { initialIntervalMs: 1, maxIntervalMs: 10, multiplier: 2, jitter: 0, maxElapsedMs: 50 },
      deadLetter,
      telemetry: noopPipelineTelemetry,
      clock: new FakeClock(),
      onCommit: (p) => commits.push(p.get('log') ?? -1),
    });
    pipeline.start();
    const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false });
    const ingest = createIngest({
      plugin: 'good',
      parser: formatOf('wso2-apim').parser,
      origin: eventOrigin('wso2-apim', 'gw-1'),
      maxLineBytes: 1 << 20,
      pipeline,
      deadLetter,
      metrics,
      telemetry: createInputTelemetry(metrics, silentLogger()),
    });
    const splitter = new LineSplitter({ maxLineBytes: 1 << 20 });
    const bytes = Buffer.from(log.text);
    for (let at = 0; at < bytes.length; at += 65536) {
      const lines: SplitLine[] = [];
      splitter.push(bytes.subarray(at, at + 65536), lines);
      if (lines.length === 0) continue;
      const endOffset = (lines.at(-1) as SplitLine).endOffset;
      await ingest({ sourceId: 'log', path: 'log', lines, endOffset, bytes: lines.length });
    }
    await pipeline.close(Date.now() + 10_000);
    await deadLetter.close();

    const counts = pipeline.counts();
    const parsedEvents = n - log.badLines;
    expect(good.received).toHaveLength(parsedEvents);
    expect(new Set(good.received.map((e) => e.correlationId)).size).toBe(parsedEvents);
    for (const lane of ['good', 'failing'] as const) {
      const c = counts[lane] as { delivered: number; deadLettered: number; aborted: number };
      expect(c.aborted).toBe(0);
      expect(c.delivered + c.deadLettered + log.badLines).toBe(n);
    }
    expect((counts.failing as { deadLettered: number }).deadLettered).toBeGreaterThan(0);
    expect(new Set(failing.delivered.map((e) => e.correlationId)).size).toBe(failing.delivered.length);

    const records = (await readFile(join(dir, 'dead.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stage: string; reason: string; kind?: string });
    expect(records.filter((r) => r.stage === 'parse')).toHaveLength(log.badLines);
    expect(records.filter((r) => r.stage === 'deliver')).toHaveLength(
      (counts.failing as { deadLettered: number }).deadLettered,
    );
    expect(records.filter((r) => r.kind === 'exhausted').every((r) => r.reason.includes('503'))).toBe(true);
    expect(commits.at(-1)).toBe(bytes.length);
  });
});
