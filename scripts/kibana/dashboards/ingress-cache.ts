import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, metric, PERCENT } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { RESPONSES } from '../data-views.js';
import { count, div } from '../formula.js';
import { metricLens, xyLens } from '../lens.js';
import { lensId } from './common.js';

const HIT = 'responseCacheHit : true';
const MISS = 'responseCacheHit : false';

/** Ingress Cache: response-cache hit and miss shares. */
export const ingressCache: DashboardSpec = {
  entry: DASHBOARDS.ingressCache,
  description: 'Share of response events served from the gateway response cache (responseCacheHit).',
  rows: [
    [
      panel(
        metricLens({
          id: lensId('cache-hit-ratio'),
          title: 'Cache Hit Ratio',
          description: 'Response events with responseCacheHit true over all response events.',
          dataView: RESPONSES,
          metric: metric('Cache hit ratio', div(count(HIT), count()), PERCENT),
        }),
        12,
        14,
      ),
      panel(
        xyLens({
          id: lensId('cache-hit-miss'),
          title: 'Cache Hit and Miss (%)',
          description: `Cache hit: count(${HIT}) / count(); cache miss: count(${MISS}) / count().`,
          dataView: RESPONSES,
          series: 'bar_stacked',
          x: dateHistogram(),
          y: [
            metric('Cache hit (%)', div(count(HIT), count()), PERCENT),
            metric('Cache miss (%)', div(count(MISS), count()), PERCENT),
          ],
        }),
        36,
        14,
      ),
    ],
  ],
};
