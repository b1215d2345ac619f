import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request the receiver got. */
export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, decompressed: parsed when JSON, else the bytes. */
  readonly body: unknown;
  readonly status: number;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Answer this late (the request is recorded at once, as a receiver that stored it). */
  readonly delayMs?: number;
}

/**
 * A loopback OTLP/HTTP stand-in for plugin tests: records every request and answers 200 `{}`,
 * or the next scripted answer for the path. The integration test uses a real Collector.
 */
export interface FakeReceiver {
  readonly url: string;
  readonly requests: Received[];
  script(path: string, ...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<FakeReceiver> {
  const requests: Received[] = [];
  const scripts = new Map<string, Answer[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const bytes = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const json = req.headers['content-type'] === 'application/json';
      const answer = scripts.get(req.url ?? '')?.shift() ?? { status: 200, body: json ? '{}' : '' };
      requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body: json ? (JSON.parse(bytes.toString()) as unknown) : new Uint8Array(bytes),
        status: answer.status,
      });
      const reply = (): void => {
        if (res.destroyed) return;
        res.writeHead(answer.status, {
          'content-type': json ? 'application/json' : 'application/x-protobuf',
          ...answer.headers,
        });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs === undefined) reply();
      else setTimeout(reply, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (path, ...answers) => scripts.set(path, [...(scripts.get(path) ?? []), ...answers]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface JsonPoint {
  asInt?: number | string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
  startTimeUnixNano: string;
}

/** `apim.requests`' total of the last accepted metrics export (JSON encoding). */
export function lastRequestsTotal(requests: readonly Received[]): number | undefined {
  const accepted = requests.filter((r) => r.path === '/v1/metrics' && r.status === 200);
  const last = accepted.at(-1)?.body as
    | {
        resourceMetrics: {
          scopeMetrics: { metrics: { name: string; sum?: { dataPoints: JsonPoint[] } }[] }[];
        }[];
      }
    | undefined;
  if (last === undefined) return undefined;
  const metric = last.resourceMetrics[0]?.scopeMetrics[0]?.metrics.find((m) => m.name === 'apim.requests');
  return metric?.sum?.dataPoints.reduce((n, p) => n + Number(p.asInt), 0) ?? 0;
}

/** The `log.record.uid`s of every accepted logs export (JSON encoding), in order. */
export function acceptedUids(requests: readonly Received[]): string[] {
  return requests
    .filter((r) => r.path === '/v1/logs' && r.status === 200)
    .flatMap((r) =>
      (r.body as { resourceLogs: { scopeLogs: { logRecords: JsonPoint[] }[] }[] }).resourceLogs.flatMap(
        (rl) =>
          rl.scopeLogs.flatMap((sl) =>
            sl.logRecords.map(
              (lr) => lr.attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue ?? '',
            ),
          ),
      ),
    );
}
