/** What the pipeline reports; src/telemetry/events.ts implements it with metrics and logs. */
export interface PipelineTelemetry {
  delivered(plugin: string, count: number): void;
  retried(plugin: string, count: number, reason: string, delayMs: number): void;
  deadLettered(plugin: string, kind: 'rejected' | 'exhausted', count: number, reason: string): void;
  sendError(plugin: string, err: unknown): void;
  /** Dead-lettering a refused event failed (`err`), or works again (`undefined`): the lane waits meanwhile. */
  deadLetterBlocked(plugin: string, err: unknown): void;
  batchDone(plugin: string, seconds: number): void;
  queueDepth(plugin: string, depth: number): void;
}

export const noopPipelineTelemetry: PipelineTelemetry = {
  delivered: () => undefined,
  retried: () => undefined,
  deadLettered: () => undefined,
  sendError: () => undefined,
  deadLetterBlocked: () => undefined,
  batchDone: () => undefined,
  queueDepth: () => undefined,
};
