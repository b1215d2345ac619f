import type { Scenario } from '../lib/scenario.js';
import { baselineEsBulk } from './baseline-es-bulk.js';
import { baselineJsonParse } from './baseline-json-parse.js';
import { baselineKafkaProduce, baselineKafkaTransactions } from './baseline-kafka-produce.js';
import { baselineOsBulk } from './baseline-os-bulk.js';
import { baselineOtlpLogs } from './baseline-otlp-logs.js';
import { baselinePromClient } from './baseline-prom-client.js';
import { baselineRead } from './baseline-read.js';
import { baselineSplit } from './baseline-split.js';
import { gaxParse } from './gax-parse.js';
import { gaxParser } from './gax-parser.js';
import { gaxRunPrometheus } from './gax-run-prometheus.js';
import { metricsLatency } from './metrics-latency.js';
import { metricsRender } from './metrics-render.js';
import { mtailOneshot } from './mtail-oneshot.js';
import { outageElasticsearch } from './outage-elasticsearch.js';
import { peerOtelcol } from './peer-otelcol.js';
import { pipelineAllScenarios } from './pipeline-all.js';
import { pipelineDatadog } from './pipeline-datadog.js';
import { pipelineElasticsearch } from './pipeline-elasticsearch.js';
import { pipelineKafka } from './pipeline-kafka.js';
import { pipelineOpensearch } from './pipeline-opensearch.js';
import { pipelineOtlp } from './pipeline-otlp.js';
import { pipelinePrometheus } from './pipeline-prometheus.js';
import { pipelineSummaries, pipelineSummariesFile, summariesRangeQuery } from './summaries.js';
import { tailLatency } from './tail-latency.js';
import { tailThroughput } from './tail-throughput.js';

/** Every scenario `bench/run.ts` knows, in table order; a baseline comes before what it measures. */
export const scenarios: readonly Scenario[] = [
  baselineRead,
  baselineSplit,
  baselineJsonParse,
  gaxParser,
  gaxParse,
  tailThroughput,
  tailLatency,
  baselinePromClient,
  mtailOneshot,
  pipelinePrometheus,
  gaxRunPrometheus,
  peerOtelcol,
  metricsRender,
  metricsLatency,
  baselineEsBulk,
  pipelineElasticsearch,
  outageElasticsearch,
  baselineOsBulk,
  pipelineOpensearch,
  pipelineDatadog,
  baselineKafkaProduce,
  baselineKafkaTransactions,
  pipelineKafka,
  baselineOtlpLogs,
  pipelineOtlp,
  ...pipelineAllScenarios,
  summariesRangeQuery,
  pipelineSummariesFile,
  pipelineSummaries,
];
