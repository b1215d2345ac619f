import { type EventResult, rejected, retryable } from '../../src/plugin/result.js';

/**
 * A write error → the result for every event of the batch. Disk trouble is worth waiting for
 * (an operator frees space or fixes permissions); the file plugin has no per-event rejections.
 */
export function classifyWriteError(err: unknown): EventResult {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'EIO':
    case 'EAGAIN':
    case 'EBUSY':
    case 'EMFILE':
    case 'ENFILE':
    case 'ENOENT':
      return retryable(`write failed: ${code}`);
    case 'EISDIR':
      return rejected(`write failed: ${code} (the output path is a directory)`);
    default:
      return retryable(`write failed: ${code}`);
  }
}
