// A field scanner instead of JSON.parse (issue 17 part 2: "or a cheaper field scanner; measure,
// then choose"): pulls the 14 fields the Prometheus plugin needs out of 100,000 WSO2 lines, checked
// against JSON.parse on the first 2,000, and times both, 3 rounds.
//   node bench/experiments/workers/scanner.mjs /tmp/gax-bench/apim_metrics-s1-200000.log
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined)
  throw new Error('usage: node bench/experiments/workers/scanner.mjs FILE (a generated WSO2 log)');
const text = readFileSync(file, 'utf8');
const lines = text
  .split('\n')
  .filter((l) => l.length > 0)
  .slice(0, 100000);
const jsons = lines.map((l) => l.slice(l.indexOf('properties :') + 'properties :'.length));
const WANT = [
  'apiName',
  'apiVersion',
  'apiMethod',
  'apiResourceTemplate',
  'proxyResponseCode',
  'keyType',
  'applicationName',
  'userName',
  'responseLatency',
  'backendLatency',
  'requestMediationLatency',
  'responseMediationLatency',
  'responseCacheHit',
  'responseSize',
];
const want = new Set(WANT);
// A flat scanner: top-level and one nested object; strings without escapes fast-pathed.
function scan(s) {
  const out = {};
  let i = 1;
  const n = s.length;
  while (i < n) {
    const q = s.indexOf('"', i);
    if (q < 0) break;
    const qe = s.indexOf('"', q + 1);
    const key = s.slice(q + 1, qe);
    const j = qe + 2; // after ":
    const c = s.charCodeAt(j);
    if (c === 34) {
      // string
      let e = s.indexOf('"', j + 1);
      while (s.charCodeAt(e - 1) === 92) e = s.indexOf('"', e + 1);
      if (want.has(key)) out[key] = s.slice(j + 1, e);
      i = e + 1;
    } else if (c === 123) {
      i = j + 1;
      continue;
    } // nested object: keep scanning inside
    else {
      let e = j;
      while (e < n) {
        const d = s.charCodeAt(e);
        if (d === 44 || d === 125) break;
        e++;
      }
      if (want.has(key)) {
        const v = s.slice(j, e);
        out[key] = v === 'true' ? true : v === 'false' ? false : Number(v);
      }
      i = e;
    }
    // skip to next key
    while (i < n) {
      const d = s.charCodeAt(i);
      if (d === 44) {
        i++;
        break;
      }
      if (d === 125) {
        i++;
      } else break;
    }
  }
  return out;
}
// sanity: same values as JSON.parse for the wanted fields
let bad = 0;
for (const j of jsons.slice(0, 2000)) {
  const a = JSON.parse(j),
    b = scan(j);
  for (const k of WANT) {
    const av = k === 'responseSize' ? a.properties?.responseSize : a[k];
    if (av !== undefined && av !== b[k]) bad++;
  }
}
console.log('mismatches', bad);
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  let x = 0;
  for (const j of jsons) x += JSON.parse(j).responseLatency | 0;
  const tp = performance.now() - t;
  t = performance.now();
  let y = 0;
  for (const j of jsons) y += scan(j).responseLatency | 0;
  const ts = performance.now() - t;
  console.log(
    `JSON.parse ${tp.toFixed(0)} ms, scanner ${ts.toFixed(0)} ms (${(tp / ts).toFixed(2)}x) per ${jsons.length} lines`,
    x === y,
  );
}
