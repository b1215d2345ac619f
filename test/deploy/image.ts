import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type Dockerfile, execForm, parseCopy, resolveIn, type Stage } from './dockerfile.js';

/** What the Dockerfile is checked against: the repository as build context. */
export interface ImageFacts {
  /** The build context: the repository root. */
  readonly root: string;
  readonly ignored: (path: string) => boolean;
  /** package.json `bin.gax`, relative to the package directory (dist/src/cli.js). */
  readonly bin: string;
  /** tsconfig `outDir` of `npm run build` (dist). */
  readonly outDir: string;
}

/** A file or directory of the final image and where it comes from in the repository. */
export interface Placement {
  /** Path in the repository (for a build-stage source: relative to the build WORKDIR). */
  readonly repoPath: string;
  readonly imagePath: string;
  readonly fromStage: string | undefined;
}

export interface FinalStage {
  readonly stage: Stage;
  readonly placements: readonly Placement[];
  /** The WORKDIR in force at ENTRYPOINT. */
  readonly workdir: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly user: string | undefined;
  readonly healthcheck: readonly string[] | undefined;
  readonly volumes: readonly string[];
  readonly exposed: readonly number[];
  readonly runs: readonly string[];
}

/** Reads the last stage: where each COPY puts what, and the settings of the running container. */
export function finalStage(df: Dockerfile): FinalStage {
  const stage = df.stages.at(-1);
  if (stage === undefined) throw new Error('no FROM in the Dockerfile');
  const placements: Placement[] = [];
  const volumes: string[] = [];
  const exposed: number[] = [];
  const runs: string[] = [];
  let workdir = '/';
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let user: string | undefined;
  let healthcheck: string[] | undefined;
  for (const instruction of stage.instructions) {
    const { keyword, args } = instruction;
    if (keyword === 'WORKDIR') workdir = resolveIn(workdir, args);
    else if (keyword === 'USER') user = args;
    else if (keyword === 'RUN') runs.push(args);
    else if (keyword === 'ENTRYPOINT') entrypoint = execForm(args) ?? ['/bin/sh', '-c', args];
    else if (keyword === 'CMD') cmd = execForm(args) ?? ['/bin/sh', '-c', args];
    else if (keyword === 'VOLUME') volumes.push(...(execForm(args) ?? args.split(/\s+/)));
    else if (keyword === 'EXPOSE') exposed.push(...args.split(/\s+/).map((p) => Number.parseInt(p, 10)));
    else if (keyword === 'HEALTHCHECK') {
      const command = args.replace(/^(--\S+\s+)*/, '');
      healthcheck = command.startsWith('CMD ') ? (execForm(command.slice(4).trim()) ?? []) : undefined;
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const copy = parseCopy(instruction);
      const source = copy.from === undefined ? undefined : df.stages.find((s) => s.name === copy.from);
      const sourceDir = source === undefined ? '/' : workdirOf(source);
      const destination = resolveIn(workdir, copy.destination);
      for (const src of copy.sources) {
        const repoPath =
          copy.from === undefined ? posix.normalize(src) : posix.relative(sourceDir, resolveIn('/', src));
        const intoDir = copy.sources.length > 1 || copy.destination.endsWith('/');
        const imagePath = intoDir ? posix.join(destination, posix.basename(src)) : destination;
        placements.push({ repoPath, imagePath, fromStage: copy.from });
      }
    }
  }
  return { stage, placements, workdir, entrypoint, cmd, user, healthcheck, volumes, exposed, runs };
}

function workdirOf(stage: Stage): string {
  return stage.instructions
    .filter((i) => i.keyword === 'WORKDIR')
    .reduce((dir, i) => resolveIn(dir, i.args), '/');
}

/** The value after `--config` in CMD. */
export function configPathOf(final: FinalStage): string | undefined {
  const args = [...final.entrypoint, ...final.cmd];
  const at = args.indexOf('--config');
  return at < 0 ? undefined : args[at + 1];
}

/** Every problem of the Dockerfile as a container image of gax, none when it is right. */
export function checkDockerfile(df: Dockerfile, facts: ImageFacts): string[] {
  const problems: string[] = [];
  const final = finalStage(df);
  if (df.stages.length < 2) problems.push('not multi-stage: one FROM');
  if (!/-slim$|distroless/.test(final.stage.image))
    problems.push(`runtime image ${final.stage.image} is not a slim or distroless image`);
  problems.push(...contextProblems(df, facts), ...buildStageProblems(df, final, facts));

  const uid = /^(\d+)(?::\d+)?$/.exec(final.user ?? '')?.[1];
  if (uid === undefined) problems.push(`USER ${final.user ?? '(none)'} is not a numeric uid[:gid]`);
  else if (uid === '0') problems.push('USER is root');

  const placed = (path: string): Placement | undefined =>
    final.placements.find((p) => path === p.imagePath || path.startsWith(`${p.imagePath}/`));
  const [hcRunner, hcScript] = final.healthcheck ?? [];
  if (final.healthcheck === undefined) problems.push('no HEALTHCHECK CMD (exec form)');
  else if (hcRunner !== 'node' || hcScript === undefined || placed(hcScript) === undefined)
    problems.push(`HEALTHCHECK ${JSON.stringify(final.healthcheck)} does not run a copied script with node`);

  const [runner, script] = final.entrypoint;
  const pkg = final.placements.find((p) => posix.basename(p.imagePath) === 'package.json');
  const expected = pkg === undefined ? undefined : posix.join(posix.dirname(pkg.imagePath), facts.bin);
  const actual = script === undefined ? undefined : resolveIn(final.workdir, script);
  if (runner !== 'node' || actual === undefined || actual !== expected)
    problems.push(
      `ENTRYPOINT ${JSON.stringify(final.entrypoint)} is not node ${expected ?? '(package.json?)'}`,
    );
  else if (placed(actual) === undefined) problems.push(`ENTRYPOINT script ${actual} is not copied in`);

  const config = configPathOf(final);
  if (config === undefined || placed(config) === undefined)
    problems.push(`CMD ${JSON.stringify(final.cmd)} names no --config file copied into the image`);
  return problems;
}

/** COPY sources from the build context exist and are not left out by .dockerignore. */
function contextProblems(df: Dockerfile, facts: ImageFacts): string[] {
  const problems: string[] = [];
  for (const stage of df.stages) {
    for (const instruction of stage.instructions.filter((i) => i.keyword === 'COPY')) {
      const copy = parseCopy(instruction);
      if (copy.from !== undefined) continue;
      for (const src of copy.sources) {
        const path = posix.normalize(src);
        if (!existsSync(join(facts.root, path))) {
          problems.push(`line ${copy.line}: COPY source ${src} does not exist`);
          continue;
        }
        const left = filesUnder(facts.root, path).filter(facts.ignored);
        if (left.length > 0)
          problems.push(`line ${copy.line}: COPY source ${src} is excluded by .dockerignore (${left[0]})`);
      }
    }
  }
  return problems;
}

/** The build stage compiles and prunes, and produces every path the final stage takes from it. */
function buildStageProblems(df: Dockerfile, final: FinalStage, facts: ImageFacts): string[] {
  const problems: string[] = [];
  for (const from of new Set(final.placements.flatMap((p) => p.fromStage ?? []))) {
    const stage = df.stages.find((s) => s.name === from);
    if (stage === undefined || stage === final.stage) {
      problems.push(`COPY --from=${from}: no earlier stage of that name`);
      continue;
    }
    const runs = stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const script = runs.join(' && ');
    const steps = [/\bnpm ci\b/, /\bnpm run build\b/, /\bnpm prune --omit=dev\b/].map((re) =>
      script.search(re),
    );
    if (steps.some((at) => at < 0) || steps.some((at, i) => i > 0 && at < (steps[i - 1] ?? 0)))
      problems.push(`stage ${from} does not run npm ci, npm run build, npm prune --omit=dev in order`);
    const dir = workdirOf(stage);
    const produced = new Set(['node_modules', facts.outDir]);
    for (const instruction of stage.instructions.filter((i) => i.keyword === 'COPY')) {
      const copy = parseCopy(instruction);
      const destination = resolveIn(dir, copy.destination);
      for (const src of copy.sources) {
        const into = copy.sources.length > 1 || copy.destination.endsWith('/');
        produced.add(posix.relative(dir, into ? posix.join(destination, posix.basename(src)) : destination));
      }
    }
    for (const p of final.placements.filter((p) => p.fromStage === from)) {
      if (!produced.has(p.repoPath.split('/')[0] ?? '') && !produced.has(p.repoPath))
        problems.push(`COPY --from=${from} ${p.repoPath}: stage ${from} does not produce it`);
    }
  }
  return problems;
}

/** Files under `path` (itself when a file), relative to `root`, `/`-separated. */
function filesUnder(root: string, path: string): string[] {
  if (!statSync(join(root, path)).isDirectory()) return [path];
  return readdirSync(join(root, path), { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => posix.join(path, posix.relative(join(root, path), join(e.parentPath, e.name))));
}
