// GET helpers for the daemon's /metrics, shared by prometheus.mjs and metrics-render.mjs.
import { get } from 'node:http';

/**
 * GETs `url` and resolves `{ status, bytes, ms, text }`: `ms` from the request to the last body
 * byte; `text` only with `keep` (otherwise the body is counted and dropped, so a large body costs
 * this client as little as possible: it runs in the daemon's process and event loop).
 */
export function scrape(url, { keep = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = get(url, (res) => {
      const chunks = [];
      let bytes = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
        if (keep) chunks.push(chunk);
      });
      res.on('end', () => {
        const ms = performance.now() - started;
        const text = keep ? Buffer.concat(chunks).toString('utf8') : undefined;
        resolve({ status: res.statusCode, bytes, ms, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The value of the sample `name{labels}` exactly as written in an exposition, or undefined. */
export function sample(text, series) {
  const at = text.indexOf(`\n${series} `);
  if (at === -1) return undefined;
  const start = at + series.length + 2;
  const end = text.indexOf('\n', start);
  return Number(text.slice(start, end === -1 ? undefined : end));
}

/** Every sample of `name` with its labels as written: `[{ labels: 'a="b",…', value }]`. */
export function samples(text, name) {
  const out = [];
  const re = new RegExp(`^${name}\\{(.*)\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out.push({ labels: m[1], value: Number(m[2]) });
  return out;
}
