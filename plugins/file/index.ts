import type { Plugin, PluginFactory, PluginSettings } from '../../src/plugin/contract.js';
import { allOf, DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { classifyWriteError } from './classify.js';
import { AppendFile } from './client.js';
import { type FileConfig, FileConfigSchema } from './config.js';
import { toNdjson } from './mapping.js';

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
    this.#file = new AppendFile(config.path);
  }

  async start(): Promise<void> {
    await this.#file.open();
    this.#settings.logger.info(
      { plugin: this.#settings.id, path: this.#config.path },
      'File plugin started.',
    );
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    if (this.#stopped) throw new Error('file plugin used after stop');
    try {
      await this.#file.append(toNdjson(batch), this.#config.fsync === 'batch');
      return allOf(batch.length, DELIVERED);
    } catch (err) {
      return allOf(batch.length, classifyWriteError(err));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#file.close();
  }
}

export const filePlugin = {
  type: 'file',
  configSchema: FileConfigSchema,
  create: (config, settings): Plugin => new FilePlugin(config, settings),
} satisfies PluginFactory<FileConfig>;
