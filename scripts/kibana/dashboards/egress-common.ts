/** Panels shared by the Egress (AI) dashboards. All filter `properties.isEgress : true`. */
import { INTEGER, metric, terms } from '../columns.js';
import { RESPONSES } from '../data-views.js';
import { agg, count } from '../formula.js';
import { metricLens, pieLens } from '../lens.js';
import { KQL, lensId, MODEL, TOKENS, VENDOR } from './common.js';

/** The vendor bucket (canonical camelCase field, top 5). */
export const VENDOR_TERMS = terms(VENDOR, 5, 'Vendor');

/** AI (egress) response events in the time range. */
export const aiRequests = metricLens({
  id: lensId('egress-requests'),
  title: 'AI API Calls',
  description: `Egress response events (${KQL.egress}).`,
  dataView: RESPONSES,
  query: KQL.egress,
  metric: metric('AI API calls', count()),
});

/** Token usage by vendor (inner ring) and model (outer ring). */
export const tokensByVendorModel = pieLens({
  id: lensId('tokens-by-vendor-model'),
  title: 'Token Usage By Vendor and Model',
  description: `Sum of ${TOKENS.total} by the top 5 vendors and their top 3 models.`,
  dataView: RESPONSES,
  query: KQL.egress,
  shape: 'donut',
  groups: [VENDOR_TERMS, terms(MODEL, 3, 'Model')],
  metric: metric('Total tokens', agg('sum', TOKENS.total), INTEGER),
});
