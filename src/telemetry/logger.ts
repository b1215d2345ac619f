import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, scrub } from './redact.js';

export type LogFormat = 'auto' | 'json' | 'pretty';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where log lines go: stdout (fd 1) by default, as container runtimes expect. */
  readonly fd?: number;
}

/**
 * pino options that keep secrets out of every line: known secret keys removed before
 * serialisation, then each written line scrubbed as text (src/telemetry/redact.ts): secret-named
 * keys at any depth, URL passwords, and every secret value of the configuration.
 */
export const secretSafeOptions = {
  redact: {
    paths: [
      '*.apiKey',
      '*.password',
      '*.hashKey',
      '*.authorization',
      '*.headers.authorization',
      '*.headers["dd-api-key"]',
      'config.*.*.apiKey',
    ],
    censor: REDACTED,
  },
  hooks: { streamWrite: scrub },
} satisfies pino.LoggerOptions;

/** JSON lines by default; readable lines when `format: pretty`, or `auto` when the output is a terminal. */
export function createLogger(options: LoggerOptions): Logger {
  const fd = options.fd ?? 1;
  const usePretty = options.format === 'pretty' || (options.format === 'auto' && isTty(fd));
  const base = {
    level: options.level,
    base: { pid: process.pid },
    ...secretSafeOptions,
  };
  if (usePretty) {
    return pino(base, pretty({ destination: fd, colorize: true, sync: true, ignore: 'pid,hostname' }));
  }
  return pino(base, pino.destination({ fd, sync: false }));
}

function isTty(fd: number): boolean {
  if (fd === 1) return process.stdout.isTTY === true;
  if (fd === 2) return process.stderr.isTTY === true;
  return false;
}

/** A silent logger for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
