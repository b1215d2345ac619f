// The parse worker of the experiments. workerData: { file, mode, prometheus, partialSum }.
// Jobs: `{ seq, start, end }` (read the byte range itself) or `{ seq, buf, length, startOffset }`
// (bytes transferred by the main thread). Answers `{ seq, startOffset, endOffset, lines, events,
// skips, rejects, ... }` plus, by mode:
//   events  `parsed`: the canonical events (structured clone)              (variant b)
//   delta   `delta`: the chunk's prometheus delta (delta.mjs), buffers transferred (variant c)
//   file    `text`: the file plugin's NDJSON via the format's eventJson     (variant d)
//   bulk    `text`: Elasticsearch bulk NDJSON (create action + document)   (variant d)
import { openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadFormat, parseChunk, readRange } from './common.mjs';
import { createDeltaRecorder } from './delta.mjs';
import { bulkAction } from './encode.mjs';

const { file, mode, prometheus, partialSum } = workerData;
const { format, origin } = await loadFormat();
const fd = openSync(file, 'r');
const recorder = mode === 'delta' ? createDeltaRecorder(prometheus, { partialSum }) : undefined;
const members = origin.json;

parentPort.on('message', (job) => {
  const chunk =
    job.buf === undefined
      ? readRange(fd, job.start, job.end)
      : { buf: Buffer.from(job.buf), length: job.length, startOffset: job.startOffset };
  const endOffset = chunk.startOffset + chunk.length;
  const reply = { seq: job.seq, startOffset: chunk.startOffset, endOffset };
  let transfer = [];
  if (mode === 'events') {
    const parsed = [];
    Object.assign(
      reply,
      parseChunk(chunk.buf, chunk.length, chunk.startOffset, format, origin, (p) => parsed.push(p.event)),
    );
    reply.parsed = parsed;
  } else if (mode === 'delta') {
    Object.assign(
      reply,
      parseChunk(chunk.buf, chunk.length, chunk.startOffset, format, origin, (p) =>
        recorder.observe(p.event),
      ),
    );
    reply.delta = recorder.flush();
    transfer = [reply.delta.ops.buffer, reply.delta.vals.buffer];
  } else {
    let text = '';
    const encode =
      mode === 'file'
        ? (p) => {
            text += `${format.eventJson(p, members)}\n`;
          }
        : (p) => {
            const json = format.eventJson(p, members);
            text += `${bulkAction(p.event)}\n{"@timestamp":"${p.event.requestTimestamp}",${json.slice(1)}\n`;
          };
    Object.assign(reply, parseChunk(chunk.buf, chunk.length, chunk.startOffset, format, origin, encode));
    reply.text = text;
  }
  parentPort.postMessage(reply, transfer);
});
parentPort.postMessage({ ready: true });
