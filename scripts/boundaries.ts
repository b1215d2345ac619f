/**
 * The import boundaries of the architecture (README "Architecture"; STYLE.md §1b), checked over
 * the real import graph of `src/` and `plugins/` (static and dynamic imports, type-only ones too):
 *
 * 1. Core code (`src/`) reaches plugins only through the composition root `plugins/index.ts`.
 * 2. A format's folder `src/parsers/<format>/` is imported only from inside itself and by the
 *    formats' composition root `src/parsers/index.ts`: no gateway knowledge leaks into the core
 *    or into a plugin.
 * 3. A plugin's folder `plugins/<type>/` is imported only from inside itself and by
 *    `plugins/index.ts`: plugins do not reach into each other.
 *
 * `npx tsx scripts/boundaries.ts [root]` prints the violations and exits 1 if there are any;
 * test/architecture/boundaries.test.ts runs the same check in the suite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** One import: the importing file and the file it resolves to, both relative to the root, `/`-separated. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** Every relative import of every `.ts` file under `src/` and `plugins/` of `root`. */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of ['src', 'plugins'].flatMap((dir) => tsFiles(join(root, dir)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue; // a package, not our code
      const target = resolve(dirname(file), fileName.replace(/\.js$/, '.ts'));
      edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)) });
    }
  }
  return edges;
}

/** The edges that break a boundary, each with the rule it breaks. */
export function violations(edges: readonly ImportEdge[]): string[] {
  return edges.flatMap(({ from, to }) => {
    const why = broken(from, to);
    return why === undefined ? [] : [`${from} imports ${to}: ${why}`];
  });
}

function broken(from: string, to: string): string | undefined {
  const plugin = folderOf(to, 'plugins/');
  if (plugin !== undefined && folderOf(from, 'plugins/') !== plugin && from !== 'plugins/index.ts') {
    return from.startsWith('src/')
      ? 'core code reaches plugins only through the composition root plugins/index.ts'
      : `only plugins/${plugin}/ itself and plugins/index.ts may import plugins/${plugin}/`;
  }
  const format = folderOf(to, 'src/parsers/');
  if (format !== undefined && folderOf(from, 'src/parsers/') !== format && from !== 'src/parsers/index.ts') {
    return `only src/parsers/${format}/ itself and src/parsers/index.ts may import a format's code (gateway knowledge ends at the parser)`;
  }
  return undefined;
}

/** `plugins/elasticsearch/client.ts` under `plugins/` → `elasticsearch`; a file directly under it → undefined. */
function folderOf(file: string, base: string): string | undefined {
  if (!file.startsWith(base)) return undefined;
  const rest = file.slice(base.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? undefined : rest.slice(0, slash);
}

function tsFiles(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function posix(path: string): string {
  return path.split(sep).join('/');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(process.argv[2] ?? '.');
  const found = violations(importGraph(root));
  for (const line of found) console.error(line);
  console.error(found.length === 0 ? 'boundaries: ok' : `boundaries: ${found.length} violation(s)`);
  process.exitCode = found.length === 0 ? 0 : 1;
}
