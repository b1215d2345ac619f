import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { allOf, DELIVERED, type EventResult, rejected } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { classifyWriteError } from './classify.js';
import { AppendFile } from './client.js';
import type { FileConfig } from './config.js';
import { serialise } from './mapping.js';

/**
 * Writes canonical events as NDJSON to a file. The reference plugin: read this one first when
 * writing a new plugin.
 */
class FilePlugin implements Plugin {
  readonly #config: FileConfig;
  readonly #settings: PluginSettings;
  readonly #file: AppendFile;
  #stopped = false;

  constructor(config: FileConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#file = new AppendFile({
      path: config.path,
      maxBytes: config.maxBytes,
      maxFiles: config.maxFiles,
      onRotate: (discarded) =>
        settings.logger.info(
          {
            path: config.path,
            deleted: discarded?.file,
            deletedBytes: discarded?.bytes,
          },
          'Output file rotated.',
        ),
    });
  }

  async start(): Promise<void> {
    await this.#file.open();
    this.#settings.logger.info({ path: this.#config.path }, 'File plugin started.');
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    if (this.#stopped) throw new Error('file plugin used after stop');
    const { text, failed } = serialise(batch);
    let written: EventResult;
    try {
      if (text !== '') await this.#file.append(text, this.#config.fsync === 'batch');
      written = DELIVERED;
    } catch (err) {
      written = classifyWriteError(err);
    }
    if (failed.size === 0) return allOf(batch.length, written);
    return batch.map((_, i) => {
      const reason = failed.get(i);
      return reason === undefined ? written : rejected(reason);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#file.close();
  }
}

/** The plugin's code module (see `filePlugin` in index.ts). */
export const create: PluginModule<FileConfig>['create'] = (config, settings) =>
  new FilePlugin(config, settings);
