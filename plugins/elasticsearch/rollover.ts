/** The rollover arithmetic is shared with the OpenSearch plugin (src/search-index/rollover.ts). */
export {
  type BackingIndex,
  classifyProbe,
  type MgetDoc,
  mayPredateWriteIndex,
  newerThan,
  type ProbeAnswer,
  type ProbeStage,
  parseDataStream,
  probeCandidates,
  type StreamLayout,
  toLayout,
  writeIndex,
} from '../../src/search-index/rollover.js';
