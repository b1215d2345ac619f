// Baseline: stream + split + find the JSON of each metric line and JSON.parse it: the least work
// any apim_metrics.log parser must do in Node. Prints {"lines","events","response","faulty","bad"}.
// Plain JS so `node` runs it without a build.
import { createReadStream } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/baselines/json-parse.mjs FILE\n');
  process.exit(2);
}

const MARK = 'apimMetrics:';
const counts = { lines: 0, events: 0, response: 0, faulty: 0, bad: 0 };

function parseLine(line) {
  counts.lines++;
  const at = line.indexOf(MARK);
  if (at === -1) return;
  const props = line.indexOf('properties', at);
  const brace = props === -1 ? -1 : line.indexOf('{', props);
  if (brace === -1) {
    counts.bad++;
    return;
  }
  try {
    JSON.parse(line.slice(brace));
  } catch {
    counts.bad++;
    return;
  }
  counts.events++;
  if (line.startsWith('apim:faulty', at + MARK.length + 1)) counts.faulty++;
  else counts.response++;
}

let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    parseLine(text.slice(start, end));
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
if (rest.length > 0) parseLine(rest);
process.stdout.write(`${JSON.stringify(counts)}\n`);
