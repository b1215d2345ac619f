/**
 * The catalog a generator builds once from its seed: APIs, applications and users, with the Zipf tables
 * that skew their popularity. String fields hold ready-to-print JSON literals; `raw` keeps plain values.
 */

import type { Api } from './apis.js';
import { buildAiApi, buildApi } from './apis.js';
import { randomUuid } from './format.js';
import { gsonString } from './gson.js';
import type { Random } from './random.js';
import { cdf, pick, pickOne, zipfWeights } from './random.js';
import type { Device } from './tables.js';
import { APP_NAMES, DEVICES, USER_NAMES } from './tables.js';

export interface App {
  name: string;
  owner: string;
  id: string;
  raw: { name: string; owner: string };
  productionShare: number;
}

export interface User {
  name: string;
  raw: string;
  ips: readonly string[];
  rawIps: readonly string[];
  devices: readonly Device[];
}

function buildUser(index: number, r: Random): User {
  const base = index < USER_NAMES.length ? USER_NAMES[index]! : `user${index}`;
  const style = r.float();
  const raw =
    style < 0.03
      ? `${base}@example.com@carbon.super`
      : style < 0.13
        ? `${base}@acme.com`
        : `${base}@carbon.super`;
  const ipCount = 1 + r.int(2);
  const rawIps = Array.from({ length: ipCount }, () => randomIp(r));
  const devices = Array.from({ length: 1 + (r.chance(0.3) ? 1 : 0) }, () => pick(DEVICES, r));
  return { name: gsonString(raw), raw, ips: rawIps.map(gsonString), rawIps, devices };
}

function randomIp(r: Random): string {
  const kind = r.int(50);
  if (kind === 0) return 'UNKNOWN';
  if (kind < 3) return `2001:db8:${r.int(65536).toString(16)}::${r.int(65536).toString(16)}`;
  if (kind < 20) return `10.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
  if (kind < 30) return `192.168.${r.int(256)}.${1 + r.int(254)}`;
  if (kind < 36) return `172.${16 + r.int(16)}.${r.int(256)}.${1 + r.int(254)}`;
  return `${pickOne([203, 198, 81, 49, 151], r)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
}

function buildApp(index: number, users: readonly User[], r: Random): App {
  const name = index < APP_NAMES.length ? APP_NAMES[index]! : `App${index}`;
  const owner =
    index === 0 ? 'admin' : (users[r.int(Math.min(users.length, 25))]?.raw.split('@')[0] ?? 'admin');
  return {
    name: gsonString(name),
    owner: gsonString(owner),
    id: `"${randomUuid(r)}"`,
    raw: { name, owner },
    productionShare: r.chance(0.2) ? 0.3 : 0.92,
  };
}

/** Everything a generator picks from; `tables` are the cumulative Zipf weights of each list. */
export interface Catalog {
  apis: readonly Api[];
  /** AI/egress proxies; empty when `aiRatio` is 0. */
  aiApis: readonly Api[];
  users: readonly User[];
  apps: readonly App[];
  tables: { api: Float64Array; ai: Float64Array; app: Float64Array; user: Float64Array };
}

/** Sizes of a catalog (the generator options of the same names). */
export interface CatalogSizes {
  apis: number;
  applications: number;
  users: number;
  aiRatio: number;
}

/** Builds the catalog; draws from `r` in a fixed order: APIs, AI APIs, users, applications. */
export function buildCatalog(o: CatalogSizes, r: Random): Catalog {
  const aiCount = o.aiRatio > 0 ? Math.max(1, Math.round(o.apis / 16)) : 0;
  const apis = Array.from({ length: Math.max(1, o.apis - aiCount) }, (_, i) => buildApi(i, r));
  const aiApis = Array.from({ length: aiCount }, (_, i) => buildAiApi(i, r));
  const users = Array.from({ length: o.users }, (_, i) => buildUser(i, r));
  const apps = Array.from({ length: o.applications }, (_, i) => buildApp(i, users, r));
  const tables = {
    api: cdf(zipfWeights(apis.length, 1.1)),
    ai: cdf(zipfWeights(Math.max(1, aiApis.length), 1)),
    app: cdf(zipfWeights(apps.length, 1)),
    user: cdf(zipfWeights(users.length, 0.8)),
  };
  return { apis, aiApis, users, apps, tables };
}
