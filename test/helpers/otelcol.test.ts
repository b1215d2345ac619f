import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Collector,
  OTELCOL_SETUP_TIMEOUT_MS,
  type OtlpDataPoint,
  type OtlpLogRecord,
  startOtelcol,
} from './otelcol.js';
import { jsonLogs, jsonMetrics, protoLogs, protoMetrics } from './otelcol-samples.js';

/** POSTs on a connection of its own (none kept alive across a restart); resolves with the status. */
function post(url: string, body: string | Uint8Array, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': contentType } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
/** The TCP addresses process `pid` listens on (its socket inodes looked up in /proc/net/tcp and tcp6). */
function listening(pid: number): string[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).map(
      (fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1],
    ),
  );
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state !== '0A' || !inodes.has(inode)) continue;
      const [ip = '', port = ''] = local?.split(':') ?? [];
      const v4 =
        ip.length === 8
          ? (ip.match(/../g) ?? [])
              .reverse()
              .map((h) => Number.parseInt(h, 16))
              .join('.')
          : ip;
      out.push(`${v4}:${Number.parseInt(port, 16)}`);
    }
  }
  return out;
}
const json = (c: Collector, signal: 'logs' | 'metrics', body: unknown): Promise<number> =>
  post(`${c.endpoint}/v1/${signal}`, JSON.stringify(body), 'application/json');
const proto = (c: Collector, signal: 'logs' | 'metrics', body: Uint8Array | undefined): Promise<number> =>
  post(`${c.endpoint}/v1/${signal}`, body ?? new Uint8Array(), 'application/x-protobuf');

describe('test/helpers/otelcol: a real OpenTelemetry Collector (otlp receiver → file exporter)', () => {
  let collector: Collector;
  const logs: OtlpLogRecord[] = [];
  const points: OtlpDataPoint[] = [];

  /** Sends one of each request (JSON and protobuf, logs and metrics) and expects them all written. */
  async function sendRound(n: number): Promise<void> {
    const jl = jsonLogs(n);
    const pl = protoLogs(n);
    logs.push(jl.expected, pl.expected);
    expect(await json(collector, 'logs', jl.body)).toBe(200);
    expect(await proto(collector, 'logs', pl.body)).toBe(200);
    const m = jsonMetrics(n);
    const pm = protoMetrics(n);
    points.push(...m.expected, pm.expected);
    expect(await json(collector, 'metrics', m.body)).toBe(200);
    expect(await proto(collector, 'metrics', pm.body)).toBe(200);
  }

  beforeAll(async () => {
    collector = await startOtelcol();
  }, OTELCOL_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await collector?.destroy();
  });

  it('listens on 127.0.0.1 only and writes every JSON and protobuf request, flattened', async () => {
    expect(collector.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Only the receiver: no internal telemetry server (:8888 by default), no gRPC.
    expect(listening(collector.pid ?? 0)).toEqual([`127.0.0.1:${collector.port}`]);
    await sendRound(1);
    // Written before the 200: no wait needed (the exporters' writes are unbuffered).
    expect(await collector.readLogs()).toEqual(logs);
    expect(await collector.readMetrics()).toEqual(points);
  });

  it('keeps its port and appends to its files across stop() and start()', async () => {
    const { endpoint } = collector;
    const pid = collector.pid;
    expect(await collector.stop()).toBe(0);
    expect(collector.pid).toBeUndefined();
    await expect(json(collector, 'logs', jsonLogs(0).body)).rejects.toThrow(/ECONNREFUSED/);
    await collector.start();
    expect(collector.endpoint).toBe(endpoint);
    expect(collector.pid).not.toBe(pid);
    await sendRound(2);
    expect(await collector.readLogs()).toEqual(logs);
    expect(await collector.readMetrics()).toEqual(points);
  });

  it('keeps every acknowledged request through kill() (SIGKILL) and a restart', async () => {
    for (let n = 3; n < 13; n++) await sendRound(n);
    await collector.kill();
    expect(collector.pid).toBeUndefined();
    await collector.start();
    await sendRound(13);
    const read = await collector.waitForLogs((r) => r.length >= logs.length);
    expect(read).toEqual(logs);
    expect(await collector.waitForMetrics((p) => p.length >= points.length)).toEqual(points);
    expect(collector.logTail()).toContain('Everything is ready');
  });
});
