// Variant (d)'s encoders, from the built plugins: the Elasticsearch bulk action of an event (the
// plugin's own index and `_id`), and the main-thread encoders of today (file: JSON.stringify per
// event, plugins/file/mapping.ts; Elasticsearch: bulkLines, plugins/elasticsearch/mapping.ts).
import { dist } from './common.mjs';

const es = await dist('plugins/elasticsearch/mapping.js');
const file = await dist('plugins/file/mapping.js');

/** The Elasticsearch section's defaults that the bulk lines depend on. */
export const ES_INDEX = { indexPrefix: 'apim_event', indexMode: 'index' };

/** `{"create":{"_index":…,"_id":…}}` of one event, as the plugin writes it. */
export function bulkAction(event) {
  return JSON.stringify({ create: { _index: es.targetIndex(event, ES_INDEX), _id: es.documentId(event) } });
}

/** Today's main-thread encoders of a batch of events. */
export const mainEncoders = {
  file: (events) => file.toNdjson(events),
  bulk: (events) => {
    let text = '';
    for (const event of events) text += es.bulkLines(event, ES_INDEX);
    return text;
  },
};
