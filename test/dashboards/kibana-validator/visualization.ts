/** Legacy visualizations: the markdown navigation bar's links to dashboards. */

import { isObject, type Json, parse } from './common.js';

export function checkVisualization(
  attributes: Json,
  dashboards: ReadonlySet<string>,
  report: (p: string) => void,
): void {
  const visState = typeof attributes.visState === 'string' ? parse(attributes.visState) : undefined;
  if (!isObject(visState) || typeof visState.type !== 'string') {
    report('visState needs a type');
    return;
  }
  const markdown = isObject(visState.params) ? visState.params.markdown : undefined;
  if (visState.type !== 'markdown' || typeof markdown !== 'string') return;
  for (const m of markdown.matchAll(/\(#\/view\/([^)\s?]+)/g))
    if (m[1] !== undefined && !dashboards.has(m[1]))
      report(`markdown links to dashboard ${m[1]}, which is not in the file`);
}
