/**
 * Benchmark input: a generated `apim_metrics.log`, written in ~1 MB buffered writes and cached next
 * to a `.meta.json` sidecar (reused while lines, generator options and generator source match).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GeneratorOptions, GeneratorStats } from '../../src/parsers/wso2-apim/sim/generate.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';

export interface WrittenFile {
  path: string;
  lines: number;
  bytes: number;
  /** Generator bookkeeping; undefined for a file we did not generate. */
  stats: GeneratorStats | undefined;
  seconds: number;
}

const FLUSH_BYTES = 1 << 20;

export async function writeGeneratedFile(
  path: string,
  lines: number,
  options: GeneratorOptions,
): Promise<WrittenFile> {
  const started = performance.now();
  await mkdir(dirname(path), { recursive: true });
  const generator = createGenerator(options);
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  let bytes = 0;
  try {
    let chunk = '';
    for (let i = 0; i < lines; i++) {
      chunk += `${generator.next()}\n`;
      if (chunk.length >= FLUSH_BYTES || i === lines - 1) {
        const buffer = Buffer.from(chunk);
        await handle.write(buffer, 0, buffer.length);
        bytes += buffer.length;
        chunk = '';
      }
    }
  } finally {
    await handle.close();
  }
  await rename(partial, path);
  return { path, lines, bytes, stats: generator.stats, seconds: (performance.now() - started) / 1000 };
}

interface Sidecar {
  lines: number;
  bytes: number;
  options: GeneratorOptions;
  source: string;
  stats: GeneratorStats;
}

/** Hash of the generator's source: a changed generator invalidates cached files. */
/** Hash of every generator source file, so a cached data file is rebuilt when any of them changes. */
function generatorSource(): string {
  const dir = new URL('../../src/parsers/wso2-apim/sim/', import.meta.url);
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.ts') || name === 'simulate.ts') continue;
    hash.update(name).update(readFileSync(new URL(name, dir)));
  }
  return hash.digest('hex').slice(0, 16);
}

export async function prepareGeneratedFile(
  dataDir: string,
  lines: number,
  options: GeneratorOptions,
): Promise<WrittenFile & { reused: boolean }> {
  const name = `apim_metrics-s${options.seed ?? 1}-${lines}${options.variants === true ? '-variants' : ''}.log`;
  const path = join(dataDir, name);
  const sidecarPath = `${path}.meta.json`;
  const source = generatorSource();
  if (existsSync(path) && existsSync(sidecarPath)) {
    const meta = JSON.parse(await readFile(sidecarPath, 'utf8')) as Sidecar;
    const same =
      meta.lines === lines &&
      meta.source === source &&
      JSON.stringify(meta.options) === JSON.stringify(options) &&
      statSync(path).size === meta.bytes;
    if (same) return { path, lines, bytes: meta.bytes, stats: meta.stats, seconds: 0, reused: true };
  }
  const written = await writeGeneratedFile(path, lines, options);
  const sidecar: Sidecar = { lines, bytes: written.bytes, options, source, stats: written.stats! };
  await writeFile(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  return { ...written, reused: false };
}

/** Describes a file given with `--file`: counts its lines (a trailing partial line counts). */
export async function describeFile(path: string): Promise<WrittenFile> {
  const started = performance.now();
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path, { highWaterMark: FLUSH_BYTES }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  if (last !== 10) lines++;
  return {
    path,
    lines,
    bytes: statSync(path).size,
    stats: undefined,
    seconds: (performance.now() - started) / 1000,
  };
}
