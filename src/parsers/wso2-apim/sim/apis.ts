/**
 * The APIs of a generated catalog: REST and GraphQL APIs with their weighted resources, and AI/egress
 * proxies of the vendors in `tables.ts`. String fields hold ready-to-print Gson literals.
 */

import { randomUuid } from './format.js';
import { gsonString } from './gson.js';
import type { Random, Weighted } from './random.js';
import { pick, pickOne, weighted } from './random.js';
import { AI_VENDORS, API_VERSIONS, API_WORDS, CONTENT_TYPES } from './tables.js';

/** String fields hold ready-to-print Gson literals (quoted, escaped); `raw` keeps the plain values. */
export interface Resource {
  method: string;
  template: string;
  raw: { method: string; template: string };
}

export interface Api {
  name: string;
  version: string;
  context: string;
  id: string;
  creator: string;
  tenant: string;
  type: string;
  destination: string;
  contentType: string;
  raw: {
    name: string;
    version: string;
    context: string;
    creator: string;
    tenant: string;
    type: string;
    destination: string;
  };
  resources: Weighted<Resource>;
  latencyMedian: number;
  cacheable: boolean;
  ai: { vendorName: string; vendorVersion: string; models: readonly string[] } | undefined;
}

function buildResources(slug: string, word: string, type: string, r: Random): Weighted<Resource> {
  const res = (method: string, template: string, weight: number): readonly [Resource, number] => [
    { method: gsonString(method), template: gsonString(template), raw: { method, template } },
    weight,
  ];
  if (type === 'GRAPHQL') {
    const one = word.toLowerCase();
    return weighted([
      res('POST', one, 6),
      res('POST', `customer,${one}`, 3),
      res('POST', `create${word}`, 1),
    ]);
  }
  const id = `{${word.charAt(0).toLowerCase()}${word.slice(1).replace(/s$/, '')}Id}`;
  const all = [
    res('GET', `/${slug}`, 30),
    res('GET', `/${slug}/${id}`, 40),
    res('POST', `/${slug}`, 12),
    res('PUT', `/${slug}/${id}`, 6),
    res('DELETE', `/${slug}/${id}`, 3),
    res('GET', `/${slug}/${id}/history`, 5),
    res('PATCH', `/${slug}/${id}`, 2),
    res('GET', '/*', 2),
  ];
  const keep = all.filter((_, i) => i < 2 || r.chance(0.6));
  return weighted(keep);
}

function destinationFor(slug: string, word: string, r: Random): string {
  const kind = r.int(10);
  if (kind < 4) return `https://${slug}.internal:8443/v1`;
  if (kind < 7) return `http://${slug}-svc.default.svc.cluster.local:8080/api`;
  if (kind < 9) return `https://${slug}.example.org/services/${word}Service`;
  return `https://backend.example.com/${slug}?tenant=acme&region=eu`;
}

function makeApi(
  raw: Api['raw'],
  r: Random,
  extra: Pick<Api, 'resources' | 'ai'> & { latencyMedian: number },
): Api {
  return {
    name: gsonString(raw.name),
    version: gsonString(raw.version),
    context: gsonString(raw.context),
    id: `"${randomUuid(r)}"`,
    creator: gsonString(raw.creator),
    tenant: gsonString(raw.tenant),
    type: gsonString(raw.type),
    destination: gsonString(raw.destination),
    contentType: gsonString(pick(CONTENT_TYPES, r)),
    raw,
    resources: extra.resources,
    latencyMedian: extra.latencyMedian,
    cacheable: extra.ai === undefined && r.chance(0.2),
    ai: extra.ai,
  };
}

export function buildApi(index: number, r: Random): Api {
  const word = API_WORDS[index % API_WORDS.length]!;
  const round = Math.floor(index / API_WORDS.length);
  const name = `${word}${round === 0 ? '' : round + 1}API`;
  const slug = `${word.toLowerCase()}${round === 0 ? '' : round + 1}`;
  const version = pick(API_VERSIONS, r);
  const tenanted = r.chance(0.15);
  const tenant = tenanted ? 'acme.com' : 'carbon.super';
  const creator = tenanted ? 'admin@acme.com' : pickOne(['admin', 'admin', 'publisher1', 'apicreator'], r);
  const type = index % 20 === 7 ? 'GRAPHQL' : 'HTTP';
  const context = `${tenanted ? '/t/acme.com' : ''}/${slug}/${version}`;
  const raw = { name, version, context, creator, tenant, type, destination: destinationFor(slug, word, r) };
  const latencyMedian = 6 + r.float() * 50;
  return makeApi(raw, r, { resources: buildResources(slug, word, type, r), ai: undefined, latencyMedian });
}

export function buildAiApi(index: number, r: Random): Api {
  const vendor = AI_VENDORS[index % AI_VENDORS.length]!;
  const round = Math.floor(index / AI_VENDORS.length);
  const suffix = round === 0 ? '' : String(round + 1);
  const raw = {
    name: `${vendor.apiName}${suffix}`,
    version: '1.0.0',
    context: `/${vendor.slug}${suffix}/1.0.0`,
    creator: 'admin',
    tenant: 'carbon.super',
    type: 'HTTP',
    destination: vendor.destination,
  };
  const res = (template: string, w: number): readonly [Resource, number] => [
    { method: '"POST"', template: gsonString(template), raw: { method: 'POST', template } },
    w,
  ];
  const resources = weighted([res('/chat/completions', 9), res('/embeddings', 1)]);
  const ai = {
    vendorName: gsonString(vendor.vendorName),
    vendorVersion: gsonString(vendor.vendorVersion),
    models: vendor.models,
  };
  return { ...makeApi(raw, r, { resources, ai, latencyMedian: 900 }), contentType: '"application/json"' };
}
