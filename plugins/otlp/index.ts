import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { otlpConfig } from './config.js';

/** The OTLP plugin: gateway metrics and one log record per event over OTLP/HTTP. */
export const otlpPlugin = definePlugin({
  type: 'otlp',
  summary: 'The OTLP plugin: gateway metrics and one log record per event over OTLP/HTTP.',
  enabled: {
    default: false,
    description: 'Send metrics and logs to an OpenTelemetry Collector (or any OTLP/HTTP receiver).',
  },
  maxEventAge: {
    default: '0s',
    why: 'Log records keep their own time; metrics count events when they are exported, so a backlog read at start lands in the first exports.',
  },
  config: otlpConfig,
  history: { accepts: 'any', idempotent: false },
  load: () => import('./plugin.js'),
  selfMetrics: async (registry) => (await import('./metrics-self.js')).registerOtlpMetrics(registry),
  describe: (section, { id }) => {
    const signals = [section.signals.metrics ? 'metrics' : '', section.signals.logs ? 'logs' : '']
      .filter((s) => s !== '')
      .join(' + ');
    return [
      `  ${id}: ${signals === '' ? 'nothing (both signals off)' : signals} → ${section.endpoint} (OTLP/HTTP ${section.encoding}, ${section.temporality}, ${section.histogram} histograms)`,
    ];
  },
});

/** `plugins.otlp`, as validated. */
export const OtlpConfigSchema = sectionSchema(otlpPlugin);
