import type { ConflictContext, PluginConflict } from '../../src/plugin/capabilities.js';
import type { FileConfig } from './config.js';

/** A file instance whose output is the dead-letter file, or is read back by an input. */
export function fileConflicts(section: FileConfig, context: ConflictContext): PluginConflict[] {
  const found: PluginConflict[] = [];
  if (section.path === context.deadLetterPath) {
    found.push({
      path: ['path'],
      message: `is also the dead-letter file (${context.deadLetterPath}): events and dead letters would be mixed, and each file's rotation would cut the other's`,
    });
  }
  for (const { index, pattern } of context.inputsReading(section.path)) {
    found.push({
      path: ['path'],
      message: `the file plugin’s output (${section.path}) is matched by inputs[${index}].paths "${pattern}": gax would read what it writes`,
    });
  }
  return found;
}
