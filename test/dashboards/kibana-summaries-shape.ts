import { aggregate } from '../../plugins/summaries/aggregate.js';
import type { Granularity } from '../../plugins/summaries/granularity.js';
import { TABLES, type TableSpec } from '../../plugins/summaries/tables.js';
import type { CanonicalEvent } from '../../src/schema/event.js';

/**
 * The documented shape of the summaries plugin's Elasticsearch documents (one index per table,
 * `gax-summaries-<table lowercased>`), derived here from plugins/summaries/tables.ts and
 * independently of the dashboard builders: the fields, their types, a strict mapping, and the
 * documents of a set of events.
 */

export type FieldType = 'date' | 'keyword' | 'long';

/** The index of a table. */
export const indexOf = (table: TableSpec): string => `gax-summaries-${table.name.toLowerCase()}`;

/** The table of an index (data view title). */
export function tableOfIndex(index: string): TableSpec | undefined {
  return TABLES.find((t) => indexOf(t) === index);
}

/** Every field of a table's documents with its type. */
export function documentFields(table: TableSpec): Map<string, FieldType> {
  const fields = new Map<string, FieldType>([
    ['@timestamp', 'date'],
    ['table', 'keyword'],
  ]);
  if (table.granular) {
    fields.set('granularity', 'keyword');
    for (const name of ['AGG_TIMESTAMP', 'AGG_EVENT_TIMESTAMP', 'AGG_LAST_EVENT_TIMESTAMP'])
      fields.set(name, 'long');
  } else {
    fields.set('lastAccessTime', 'long');
  }
  for (const column of [...table.keys, ...table.attributes])
    fields.set(column.name, column.sqlType === 'bigint' ? 'long' : 'keyword');
  for (const column of table.sums) fields.set(column.name, 'long');
  return fields;
}

/** The union of every table's fields (one type per name, else an error). */
export function allDocumentFields(): Map<string, FieldType> {
  const all = new Map<string, FieldType>();
  for (const table of TABLES)
    for (const [name, type] of documentFields(table)) {
      const known = all.get(name);
      if (known !== undefined && known !== type) throw new Error(`${name} is ${known} and ${type}`);
      all.set(name, type);
    }
  return all;
}

/** A strict index mapping of a table's documents. */
export function mappingOf(table: TableSpec): object {
  const properties = Object.fromEntries([...documentFields(table)].map(([name, type]) => [name, { type }]));
  return { dynamic: 'strict', properties };
}

/** The summary documents of `events` at `granularities`, per index, as the mirror writes them. */
export function summaryDocuments(
  events: readonly CanonicalEvent[],
  granularities: readonly Granularity[],
): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const delta of aggregate(events, TABLES, granularities)) {
    const { table, granularity } = delta;
    const fields = documentFields(table);
    const docs = out.get(indexOf(table)) ?? [];
    out.set(indexOf(table), docs);
    for (const row of delta.rows) {
      const doc: Record<string, unknown> = {
        '@timestamp': new Date(table.granular ? row.time : row.last).toISOString(),
        ...(granularity === undefined ? {} : { granularity }),
        table: table.name,
      };
      if (table.granular) {
        doc.AGG_TIMESTAMP = row.time;
        doc.AGG_EVENT_TIMESTAMP = row.time;
        doc.AGG_LAST_EVENT_TIMESTAMP = row.last;
      } else {
        doc.lastAccessTime = row.last;
      }
      table.keys.forEach((k, i) => {
        doc[k.name] = row.keys[i];
      });
      table.attributes.forEach((a, i) => {
        const value = row.attributes[i] ?? null;
        doc[a.name] = value !== null && fields.get(a.name) === 'long' ? Number(value) : value;
      });
      table.sums.forEach((s, i) => {
        doc[s.name] = row.sums[i] ?? null;
      });
      docs.push(doc);
    }
  }
  return out;
}
