/**
 * Places widgets on the 12-column grid of an `ordered` dashboard with `reflow_type: fixed` (every
 * widget has a layout): widgets fill rows left to right; each group is a full-width `group`
 * widget whose children are laid out inside it.
 */
import type { Json } from '../../plugins/datadog/setup/bundle.js';
import type { Widget } from './widgets.js';

export const GRID_COLUMNS = 12;

export interface Group {
  readonly title: string;
  readonly widgets: readonly Widget[];
}

/** Children placed in rows; the height the rows take. */
function place(widgets: readonly Widget[]): { widgets: Json[]; height: number } {
  const placed: Json[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const w of widgets) {
    if (w.width > GRID_COLUMNS) throw new Error(`${String(w.definition.title)} is wider than the grid`);
    if (x + w.width > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    placed.push({ definition: w.definition, layout: { x, y, width: w.width, height: w.height } });
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
  }
  return { widgets: placed, height: y + rowHeight };
}

/** The dashboard's `widgets`: one group widget per group, stacked. */
export function layoutGroups(groups: readonly Group[]): Json[] {
  let y = 0;
  return groups.map((g) => {
    const inner = place(g.widgets);
    // The group's title bar takes one row.
    const height = inner.height + 1;
    const widget = {
      definition: {
        type: 'group',
        layout_type: 'ordered',
        title: g.title,
        show_title: true,
        widgets: inner.widgets,
      },
      layout: { x: 0, y, width: GRID_COLUMNS, height },
    };
    y += height;
    return widget;
  });
}

/** Widgets inside groups, in order. */
export function leafWidgets(groups: readonly Group[]): Widget[] {
  return groups.flatMap((g) => g.widgets);
}
