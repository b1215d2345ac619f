/**
 * Per-run contexts of the backend scenarios (`Scenario.prepare`): the input each one reads and a
 * fresh `runTag` (index prefix, Datadog `env` tag).
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describeFile, prepareGeneratedFile, writeGeneratedFile } from './data-file.js';
import type { ScenarioContext } from './scenario.js';
import type {
  DatadogService,
  KafkaService,
  OtlpReceiverService,
  SearchBackend,
  SearchIndexService,
} from './services.js';
import { newRunTag } from './services.js';

/** The `backend` node (Elasticsearch or OpenSearch) the harness started for this scenario. */
export function searchIndexOf(ctx: ScenarioContext, backend: SearchBackend): SearchIndexService {
  const node = ctx.services[backend];
  if (node === undefined) throw new Error(`${backend} was not started for this scenario`);
  return node;
}

export function elasticsearchOf(ctx: ScenarioContext): SearchIndexService {
  return searchIndexOf(ctx, 'elasticsearch');
}

export function datadogOf(ctx: ScenarioContext): DatadogService {
  const dd = ctx.services.datadog;
  if (dd === undefined) throw new Error('the Datadog receiver was not started for this scenario');
  return dd;
}

export function kafkaOf(ctx: ScenarioContext): KafkaService {
  const kafka = ctx.services.kafka;
  if (kafka === undefined) throw new Error('Kafka was not started for this scenario');
  return kafka;
}

export function otlpOf(ctx: ScenarioContext): OtlpReceiverService {
  const otlp = ctx.services.otlp;
  if (otlp === undefined) throw new Error('the OpenTelemetry Collector was not started for this scenario');
  return otlp;
}

/** Partitions of each topic a Kafka run produces to. */
export const KAFKA_PARTITIONS = 3;

/**
 * A Kafka run: the first `--es-lines` lines of the input (as an Elasticsearch run), earlier runs'
 * topics deleted, and a fresh topic named after a fresh `runTag` with {@link KAFKA_PARTITIONS}
 * partitions.
 */
export async function kafkaRun(ctx: ScenarioContext): Promise<ScenarioContext> {
  const kafka = kafkaOf(ctx);
  await kafka.reset();
  const input = await firstLines(ctx, ctx.backends.esLines);
  const runTag = newRunTag();
  await kafka.createTopic(runTag, KAFKA_PARTITIONS);
  return { ...ctx, ...input, runTag };
}

/** An OTLP run: the first `--es-lines` lines of the input, a fresh collector with empty files. */
export async function otlpRun(ctx: ScenarioContext): Promise<ScenarioContext> {
  await otlpOf(ctx).reset();
  const input = await firstLines(ctx, ctx.backends.esLines);
  return { ...ctx, ...input, runTag: newRunTag() };
}

/**
 * An Elasticsearch or OpenSearch run: the first `--es-lines` lines of the input (the same
 * generator options give the same first lines, so a generated input's subset is generated and
 * cached like the input; a `--file` input's is copied), an empty cluster (earlier runs' indices and
 * templates deleted) and a fresh `runTag` as index prefix.
 */
export async function searchIndexRun(ctx: ScenarioContext, backend: SearchBackend): Promise<ScenarioContext> {
  await searchIndexOf(ctx, backend).reset();
  const input = await firstLines(ctx, ctx.backends.esLines);
  return { ...ctx, ...input, runTag: newRunTag() };
}

/** {@link searchIndexRun} on the Elasticsearch node. */
export function elasticsearchRun(ctx: ScenarioContext): Promise<ScenarioContext> {
  return searchIndexRun(ctx, 'elasticsearch');
}

export async function firstLines(
  ctx: ScenarioContext,
  lines: number,
): Promise<Pick<ScenarioContext, 'file' | 'lines' | 'bytes' | 'events'>> {
  if (lines >= ctx.lines) return ctx;
  if (ctx.generator !== undefined) {
    const written = await prepareGeneratedFile(ctx.dataDir, lines, ctx.generator);
    const stats = written.stats!;
    return { file: written.path, lines, bytes: written.bytes, events: stats.response + stats.faulty };
  }
  const path = join(ctx.dataDir, `${basename(ctx.file)}.first-${lines}`);
  if (!(existsSync(path) && statSync(path).mtimeMs >= statSync(ctx.file).mtimeMs)) {
    await mkdir(ctx.dataDir, { recursive: true });
    await pipeline(createReadStream(ctx.file), headOf(lines), createWriteStream(`${path}.partial`));
    await rename(`${path}.partial`, path);
  }
  const described = await describeFile(path);
  return { file: path, lines: described.lines, bytes: described.bytes, events: undefined };
}

/** A transform passing the first `lines` lines through. */
function headOf(lines: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    let left = lines;
    for await (const chunk of source) {
      if (left === 0) return;
      let end = 0;
      while (left > 0 && end < chunk.length) {
        const nl = chunk.indexOf(10, end);
        if (nl === -1) {
          end = chunk.length;
          break;
        }
        end = nl + 1;
        left--;
      }
      yield chunk.subarray(0, end);
    }
  };
}

/** Datadog takes points up to 1 h old; the generated traffic spans at most this, ending 1 min ago. */
const RECENT_SPAN_S = 30 * 60;

/**
 * A Datadog run: the input regenerated (untimed) with the same options and line count but recent
 * timestamps, since Datadog refuses points older than an hour (the plugin dead-letters them): at
 * least the generator's default 100 events/s, at most 30 minutes of traffic, the last event a
 * minute before the run. Only the times differ from the main input. An empty receiver, a fresh
 * `runTag` as `env` tag.
 */
export async function datadogRun(ctx: ScenarioContext): Promise<ScenarioContext> {
  if (ctx.generator === undefined) throw new Error('needs a generated input');
  datadogOf(ctx).reset();
  const eventsPerSecond = Math.max(100, ctx.lines / RECENT_SPAN_S);
  const startTime = Date.now() - 60_000 - (ctx.lines / eventsPerSecond) * 1000;
  const path = join(ctx.dataDir, `apim_metrics-s${ctx.generator.seed ?? 1}-${ctx.lines}-recent.log`);
  const written = await writeGeneratedFile(path, ctx.lines, { ...ctx.generator, startTime, eventsPerSecond });
  const stats = written.stats!;
  return {
    ...ctx,
    file: path,
    bytes: written.bytes,
    events: stats.response + stats.faulty,
    runTag: newRunTag(),
  };
}
