/**
 * A parse worker (./parse-pool.ts): parses chunks of lines read on the main thread with the
 * input's format, exactly as the main thread's chunkParser would, and posts the result back.
 */
import { parentPort } from 'node:worker_threads';
import { formatOf } from '../parsers/index.js';
import { eventOrigin } from '../parsers/origin.js';
import { chunkParser, type ParsedChunk } from './ingest.js';
import type { ParseRequest, ParseResponse } from './parse-pool.js';

const parsers = new Map<string, (chunk: ParseRequest['chunk']) => ParsedChunk>();

function parserOf(input: ParseRequest['input']): (chunk: ParseRequest['chunk']) => ParsedChunk {
  const key = `${input.format}\n${input.host ?? ''}\n${input.maxLineBytes}`;
  let parse = parsers.get(key);
  if (parse === undefined) {
    parse = chunkParser({
      parser: formatOf(input.format).parser,
      origin: eventOrigin(input.format, input.host),
      maxLineBytes: input.maxLineBytes,
    });
    parsers.set(key, parse);
  }
  return parse;
}

parentPort?.on('message', (request: ParseRequest) => {
  let response: ParseResponse;
  try {
    const { events, rejects, responses, faulty, skips } = parserOf(request.input)(request.chunk);
    response = { id: request.id, events, rejects, responses, faulty, skips };
  } catch (err) {
    response = { id: request.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort?.postMessage(response);
});
