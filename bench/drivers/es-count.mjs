// Shared by the Elasticsearch and OpenSearch drivers and baselines: the document count of
// `<prefix>_*` after a refresh, by plain fetch on loopback (not the code under test); the REST
// paths are the same on both.

/** Documents in `<prefix>_*` after `_refresh`; a just-created index's 503 (shards starting) is retried. */
export async function countDocs(node, prefix) {
  const target = `${node}/${prefix}_*`;
  const query = 'ignore_unavailable=true&allow_no_indices=true';
  for (let attempt = 1; ; attempt++) {
    const refresh = await fetch(`${target}/_refresh?${query}`, { method: 'POST' });
    await refresh.arrayBuffer();
    const response = await fetch(`${target}/_count?${query}`);
    const text = await response.text();
    if (response.ok && refresh.ok) return JSON.parse(text).count;
    if ((response.status !== 503 && refresh.status !== 503) || attempt >= 50) {
      throw new Error(`count ${prefix}_*: ${response.status} ${text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
