/** KQL: field extraction from queries and the check of those fields against the mapping. */

/** Field names used on the left of `:`, `<`, `<=`, `>`, `>=` in a KQL query (quoted values removed). */
export function kqlFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z_@][\w.@]*)\s*(?:<=|>=|<|>|:)/g)].flatMap((m) =>
    m[1] === undefined ? [] : [m[1]],
  );
}

export function checkKql(
  query: unknown,
  where: string,
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
): void {
  if (typeof query !== 'string') return;
  for (const field of kqlFields(query))
    if (!fields.has(field)) report(`${where}: KQL "${query}" uses unknown field "${field}"`);
}
