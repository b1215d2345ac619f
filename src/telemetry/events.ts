import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import { logKeepFailures } from '../pipeline/keep.js';
import type { PipelineTelemetry } from '../pipeline/telemetry.js';
import type { PluginHealth } from './health.js';
import type { SelfMetrics } from './metrics.js';
import { LogRateLimiter } from './rate-limit.js';

/**
 * Internal events: each is one function that counts and, rate-limited, logs. Nothing here
 * logs per event on the hot path.
 */
export function createPipelineTelemetry(
  metrics: SelfMetrics,
  logger: Logger,
  health?: PluginHealth,
): PipelineTelemetry {
  const limiter = new LogRateLimiter();
  return {
    delivered(plugin, count) {
      if (count === 0) return;
      metrics.eventsDelivered.inc({ plugin }, count);
      metrics.pluginUp.set({ plugin }, 1);
      health?.delivered(plugin);
    },
    retried(plugin, count, reason, delayMs) {
      metrics.eventsRetried.inc({ plugin }, count);
      metrics.pluginUp.set({ plugin }, 0);
      health?.failed(plugin, reason);
      const suppressed = limiter.allow(`retry:${plugin}`);
      if (suppressed === undefined) return;
      logger.warn({ plugin, count, reason, delayMs, suppressed }, 'Delivery failed; retrying.');
    },
    deadLettered(plugin, kind, count, reason) {
      metrics.eventsDeadLettered.inc({ plugin, kind }, count);
      const suppressed = limiter.allow(`dead:${plugin}:${kind}`);
      if (suppressed === undefined) return;
      logger.error({ plugin, kind, count, reason, suppressed }, 'Events written to the dead-letter file.');
    },
    sendError(plugin, err) {
      metrics.pluginSendErrors.inc({ plugin });
      const suppressed = limiter.allow(`send:${plugin}`);
      if (suppressed === undefined) return;
      logger.error(
        { plugin, err, suppressed, code: 'GAX_ERR_PLUGIN_SEND' satisfies ErrorCode },
        'Plugin threw while sending.',
      );
    },
    deadLetterBlocked(plugin, err) {
      logKeepFailures(logger.child({ plugin }), 'delivery of this plugin')(err);
    },
    batchDone(plugin, seconds) {
      metrics.batchDuration.observe({ plugin }, seconds);
    },
    queueDepth(plugin, depth) {
      metrics.queueDepth.set({ plugin }, depth);
    },
  };
}

export interface InputTelemetry {
  lineRejected(plugin: string, reason: string, file: string, offset: number, detail: string): void;
}

export function createInputTelemetry(metrics: SelfMetrics, logger: Logger): InputTelemetry {
  const limiter = new LogRateLimiter();
  return {
    lineRejected(plugin, reason, file, offset, detail) {
      metrics.linesRejected.inc({ plugin, reason });
      const suppressed = limiter.allow(`reject:${reason}`);
      if (suppressed === undefined) return;
      logger.warn(
        { reason, file, offset, detail, suppressed },
        'Line rejected; kept in the dead-letter file.',
      );
    },
  };
}
