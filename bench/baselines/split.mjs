// Baseline: stream a file as UTF-8 and split it into lines, the floor for any line-oriented reader
// in Node. Prints {"lines","chars"} as one JSON line. Plain JS so `node` runs it without a build.
import { createReadStream } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/baselines/split.mjs FILE\n');
  process.exit(2);
}

let lines = 0;
let chars = 0;
let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    const line = text.slice(start, end);
    chars += line.length;
    lines++;
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
if (rest.length > 0) {
  lines++;
  chars += rest.length;
}
process.stdout.write(`${JSON.stringify({ lines, chars })}\n`);
