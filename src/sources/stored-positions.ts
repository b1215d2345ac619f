import type { Logger } from 'pino';
import { GaxError } from '../errors.js';
import type { Plugin } from '../plugin/contract.js';
import type { Checkpointer } from './checkpointer.js';
import { isFull, sameFingerprint } from './fingerprint.js';

/**
 * Moves plugin `id`'s checkpoint forward to the positions the plugin stored with its data
 * ({@link Plugin.storedPositions}), wherever they are ahead: the backend committed a batch and
 * the daemon stopped before writing the checkpoint, so reading resumes after it and the batch is
 * not applied twice. A position is taken for a file the checkpoint does not know (the state
 * directory was lost) and ignored for one whose content identity differs (the inode now holds
 * another file: both fingerprints full, hashes apart). Resolves to the number of files moved.
 */
export async function adoptStoredPositions(
  checkpointer: Checkpointer,
  id: string,
  plugin: Plugin,
  logger: Logger,
): Promise<number> {
  if (plugin.storedPositions === undefined) return 0;
  const stored = await plugin.storedPositions().catch((err: unknown) => {
    throw new GaxError(
      'GAX_ERR_PLUGIN_START',
      `plugin "${id}" cannot read the positions it stored: ${String(err)}`,
      {
        cause: err,
      },
    );
  });
  const saved = checkpointer.saved(id);
  const ahead = new Map<string, number>();
  for (const [file, position] of stored) {
    const known = checkpointer.fileInfo(file);
    const { fingerprint } = position;
    const other =
      isFull(known?.fingerprint) && isFull(fingerprint) && !sameFingerprint(known?.fingerprint, fingerprint);
    if (other || position.offset <= (saved.get(file)?.offset ?? -1)) continue;
    if (known === undefined)
      checkpointer.noteFile(file, {
        path: position.path ?? '',
        ...(fingerprint === undefined ? {} : { fingerprint }),
      });
    ahead.set(file, position.offset);
  }
  if (ahead.size === 0) return 0;
  checkpointer.update(id, ahead);
  logger.info(
    { plugin: id, files: Object.fromEntries(ahead) },
    'Resuming where the backend stored its last batch, ahead of the checkpoint.',
  );
  return ahead.size;
}
