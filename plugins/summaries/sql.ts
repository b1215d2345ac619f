import type { TableDelta } from './aggregate.js';
import { q, tableName } from './ddl.js';

/** A parameterised statement: text and values. */
export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * One `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE` for a table's deltas: one array
 * parameter per column, whatever the row count (no parameter limit, one round trip). Counts and
 * sums add up; `AGG_LAST_EVENT_TIMESTAMP` (`lastAccessTime`) keeps the latest; the other columns
 * take the values of the latest event, so the result does not depend on the order batches come in.
 */
export function upsert(schema: string, delta: TableDelta): Statement {
  const { table, rows } = delta;
  const last = table.granular ? 'AGG_LAST_EVENT_TIMESTAMP' : 'lastAccessTime';
  const keyColumns = [
    ...(table.granular ? ['AGG_TIMESTAMP', 'AGG_EVENT_TIMESTAMP'] : []),
    ...table.keys.map((k) => k.name),
  ];
  const columns = [
    ...keyColumns,
    last,
    ...table.attributes.map((a) => a.name),
    ...table.sums.map((s) => s.name),
  ];
  const arrays: { type: string; values: unknown[] }[] = [];
  const selected: string[] = [];
  const param = (type: string, values: unknown[]): string => {
    arrays.push({ type, values });
    return `u.c${arrays.length}`;
  };
  if (table.granular) {
    const time = param(
      'bigint',
      rows.map((r) => r.time),
    );
    selected.push(time, time);
  }
  for (const [i] of table.keys.entries())
    selected.push(
      param(
        'text',
        rows.map((r) => r.keys[i]),
      ),
    );
  selected.push(
    param(
      'bigint',
      rows.map((r) => r.last),
    ),
  );
  for (const [i, a] of table.attributes.entries())
    selected.push(
      param(
        a.sqlType ?? 'text',
        rows.map((r) => r.attributes[i]),
      ),
    );
  for (const [i] of table.sums.entries())
    selected.push(
      param(
        'bigint',
        rows.map((r) => r.sums[i]),
      ),
    );
  const unnest = arrays.map((a, i) => `$${i + 1}::${a.type}[]`).join(', ');
  const aliases = arrays.map((_, i) => `c${i + 1}`).join(', ');
  const newer = `EXCLUDED.${q(last)} >= t.${q(last)}`;
  const updates = [
    `${q(last)} = GREATEST(t.${q(last)}, EXCLUDED.${q(last)})`,
    ...table.attributes.map(
      (a) => `${q(a.name)} = CASE WHEN ${newer} THEN EXCLUDED.${q(a.name)} ELSE t.${q(a.name)} END`,
    ),
    ...table.sums.map((s) => `${q(s.name)} = t.${q(s.name)} + EXCLUDED.${q(s.name)}`),
  ];
  const text = `INSERT INTO ${tableName(schema, table, delta.granularity)} AS t (${columns.map(q).join(', ')})
SELECT ${selected.join(', ')} FROM unnest(${unnest}) AS u(${aliases})
ON CONFLICT (${keyColumns.map(q).join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
  return { text, values: arrays.map((a) => a.values) };
}
