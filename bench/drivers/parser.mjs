// The gax parser alone, in process: the same stream + split loop as baselines/json-parse.mjs, but
// each line goes through parseLine (locate, JSON.parse, normalise) and nothing is printed per
// event. Isolates parsing from `gax parse`'s NDJSON serialisation. Needs `npm run build`.
// Prints {"lines","events","response","faulty","bad"}.
import { createReadStream } from 'node:fs';
import { parseLine } from '../../dist/src/parsers/wso2-apim/parse.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/drivers/parser.mjs FILE\n');
  process.exit(2);
}

const counts = { lines: 0, events: 0, response: 0, faulty: 0, bad: 0 };

function handle(line) {
  counts.lines++;
  const result = parseLine(line);
  if (result.kind === 'event') {
    counts.events++;
    if (result.event.eventType === 'faulty') counts.faulty++;
    else counts.response++;
  } else if (result.kind === 'reject') counts.bad++;
}

let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    handle(text.slice(start, end));
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
if (rest.length > 0) handle(rest);
process.stdout.write(`${JSON.stringify(counts)}\n`);
