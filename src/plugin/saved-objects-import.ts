import { GaxError } from '../errors.js';
import { tlsHint } from '../http/client-tls.js';
import type { CommandIo } from './capabilities.js';

/**
 * The saved-objects import of a dashboards UI (Kibana, OpenSearch Dashboards: the same API and
 * the same answer), shared by the plugins' `gax setup` commands: open, send the `.ndjson`, print
 * each object's result. The plugin supplies the connection; this knows neither product.
 */

/** An open connection to the UI's import API. */
export interface SavedObjectsImporter {
  /** The base URL, for messages. */
  readonly base: string;
  /** POSTs `ndjson` to the import API (overwrite); the raw answer. */
  send(ndjson: string): Promise<{ readonly ok: boolean; readonly status: number; readonly text: string }>;
  close(): void;
}

export interface ImportSavedObjects {
  /** E.g. `setup kibana`: named in the error. */
  readonly command: string;
  /** Opens the connection (reads TLS files): its errors name the config's `tls.*File` keys. */
  readonly open: () => Promise<SavedObjectsImporter>;
  readonly ndjson: string;
  /** Appended to the summary line after the base URL, e.g. ` space ops`. */
  readonly where?: string;
  readonly io: CommandIo;
}

interface ImportResult {
  type: string;
  id: string;
  meta?: { title?: string };
  overwrite?: boolean;
  title?: string;
  error?: { type?: string; message?: string; references?: { type: string; id: string }[] };
}

interface ImportResponse {
  success?: boolean;
  successCount?: number;
  successResults?: ImportResult[];
  errors?: ImportResult[];
  message?: string;
}

/**
 * Imports and prints each object's result. Resolves 0 when every object imported, 1 when some
 * were refused (each printed); throws `GAX_ERR_SETUP_FAILED` when the import could not be made.
 */
export async function importSavedObjects(o: ImportSavedObjects): Promise<0 | 1> {
  const failed = (message: string, cause?: unknown) =>
    new GaxError('GAX_ERR_SETUP_FAILED', message, {
      command: o.command,
      ...(cause === undefined ? {} : { cause }),
    });
  let importer: SavedObjectsImporter;
  try {
    importer = await o.open();
  } catch (err) {
    throw failed(asFlags((err as Error).message), err);
  }
  const { base } = importer;
  let response: Awaited<ReturnType<SavedObjectsImporter['send']>>;
  try {
    response = await importer.send(o.ndjson);
  } catch (err) {
    const cause = (err as { cause?: { message?: string; code?: string } }).cause;
    const hint = tlsHint(cause?.code);
    throw failed(
      `cannot reach ${base}: ${cause?.message ?? String(err)}${hint === undefined ? '' : ` (${asFlags(hint)})`}`,
      err,
    );
  } finally {
    importer.close();
  }
  const body = parseJson(response.text);
  if (!response.ok || body === undefined) {
    const why = body?.message ?? response.text.slice(0, 500);
    throw failed(`import failed: HTTP ${response.status} ${why}`);
  }
  const { io } = o;
  for (const r of body.successResults ?? []) {
    const what = r.overwrite === true ? 'overwritten' : 'created';
    io.stdout.write(`${r.type.padEnd(14)}${r.id.padEnd(40)}${what.padEnd(13)}${r.meta?.title ?? ''}\n`);
  }
  for (const r of body.errors ?? []) {
    const refs = (r.error?.references ?? []).map((x) => `${x.type}/${x.id}`).join(', ');
    const why = [r.error?.type ?? 'error', r.error?.message, refs === '' ? undefined : `missing ${refs}`]
      .filter((x) => x !== undefined)
      .join(': ');
    io.stdout.write(
      `${r.type.padEnd(14)}${r.id.padEnd(40)}${'FAILED'.padEnd(13)}${r.title ?? r.meta?.title ?? ''} (${why})\n`,
    );
  }
  const failures = body.errors?.length ?? 0;
  io.stdout.write(
    `done: ${body.successCount ?? 0} objects imported, ${failures} failed, into ${base}${o.where ?? ''}\n`,
  );
  return body.success === true && failures === 0 ? 0 : 1;
}

/** Messages written for the config's `tls.*File` keys (`kibana.tls.caFile`, …), in terms of the command's flags. */
function asFlags(text: string): string {
  return text.replace(/(?:[a-z-]+\.)?tls\.(ca|cert|key)File/g, (_, key: string) => `--${key}-file`);
}

function parseJson(text: string): ImportResponse | undefined {
  try {
    return JSON.parse(text) as ImportResponse;
  } catch {
    return undefined;
  }
}
