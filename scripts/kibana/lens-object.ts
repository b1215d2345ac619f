/**
 * The Lens saved object (type `lens`, `formBased` datasource): state, query and one data view
 * reference per layer (`indexpattern-datasource-layer-<layerId>`), as Kibana 8.9 saves it.
 */
import type { KibanaDataView } from './data-views.js';
import type { BuiltLayer } from './layer.js';
import { type SavedObject, savedObject } from './saved-object.js';

/** What every Lens visualisation has. */
export interface LensBase {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly dataView: KibanaDataView;
  /** KQL applied to the whole visualisation (the Lens query bar), e.g. `properties.isEgress : true`. */
  readonly query?: string;
}

/** XY series types Lens supports. */
export type SeriesType =
  | 'line'
  | 'area'
  | 'area_stacked'
  | 'bar'
  | 'bar_stacked'
  | 'bar_horizontal'
  | 'bar_horizontal_stacked';

/** Id of a visualisation's data layer. */
export const DATA = 'layer0';
/** Id of an XY chart's reference-line layer. */
export const REFERENCE = 'layer1';

/** The Lens saved object `base.id` of `type` with these layers and visualization state. */
export function lensObject(
  base: LensBase,
  type: string,
  layers: BuiltLayer[],
  visualization: object,
): SavedObject {
  const attributes = {
    title: base.title,
    description: base.description,
    visualizationType: type,
    state: {
      datasourceStates: {
        formBased: { layers: Object.fromEntries(layers.map((l) => [l.id, l.state])) },
      },
      visualization,
      query: { query: base.query ?? '', language: 'kuery' },
      filters: [],
      internalReferences: [],
      adHocDataViews: {},
    },
  };
  const references = layers.map((l) => ({
    type: 'index-pattern' as const,
    id: base.dataView.id,
    name: `indexpattern-datasource-layer-${l.id}`,
  }));
  return savedObject('lens', base.id, attributes, references);
}
