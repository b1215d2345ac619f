/**
 * Runs the built `gax` on a real pseudo-terminal, as a person at a terminal does: util-linux
 * `script` allocates the pty, so the command's stdin, stdout and stderr are all a TTY (colours,
 * pretty logs, the redrawn progress bar), and bytes written to `script`'s stdin are typed into
 * the terminal (`\x03` is Ctrl-C: the line discipline turns it into SIGINT for the foreground
 * process group, exactly as at a keyboard). The terminal has a fixed size (`stty`), so output that
 * depends on `columns` is the same everywhere.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI, ROOT } from './cli.js';

/** The keys the tests type. */
export const CTRL_C = '\x03';

export interface PtyOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly columns?: number;
  readonly rows?: number;
}

export interface PtySession {
  /** The `script` process (its PID is what a test kills if the command hangs). */
  readonly child: ChildProcess;
  /** Everything the terminal showed so far, raw (escape sequences and `\r\n` included). */
  output(): string;
  /** The same with colour and erase sequences removed and `\r\n` folded to `\n`. */
  text(): string;
  /** Types `keys` into the terminal. */
  type(keys: string): void;
  /** Resolves when the text shown matches `pattern`; rejects with what was shown after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The command's exit code (`script -e` passes it through). */
  readonly exited: Promise<number | null>;
  /** Kills the session by PID if it is still running (safe to call twice). */
  kill(): void;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it removes
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Removes colour and cursor sequences and folds CRLF, leaving what a person reads. */
export function plain(raw: string): string {
  return raw.replace(ESCAPES, '').replace(/\r\n/g, '\n');
}

/** Starts `gax args…` on a new pseudo-terminal. */
export function startPty(args: readonly string[], options: PtyOptions = {}): PtySession {
  const quoted = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const size = `stty cols ${options.columns ?? 100} rows ${options.rows ?? 30}`;
  const child = spawn('script', ['-q', '-e', '-f', '-c', `${size}; exec ${quoted}`, '/dev/null'], {
    cwd: options.cwd ?? ROOT,
    // FORCE_COLOR and NO_COLOR would decide colours instead of the terminal: the test wants the terminal's answer.
    env: { ...withoutColourOverrides(process.env), TERM: 'xterm-256color', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    output: () => raw,
    text: () => plain(raw),
    type: (keys) => {
      child.stdin?.write(keys);
    },
    waitFor: async (pattern, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(plain(raw))) {
        if (done) throw new Error(`exited before ${pattern} was shown:\n${plain(raw)}`);
        if (Date.now() > until) throw new Error(`${pattern} not shown in ${timeoutMs} ms:\n${plain(raw)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    exited,
    kill: () => {
      if (!done && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    },
  };
}

/** Runs `gax args…` on a pseudo-terminal to its end; returns its exit code and what it showed. */
export async function runPty(
  args: readonly string[],
  options: PtyOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | null; raw: string; text: string }> {
  const session = startPty(args, options);
  const timer = setTimeout(() => session.kill(), options.timeoutMs ?? 30_000);
  const code = await session.exited;
  clearTimeout(timer);
  return { code, raw: session.output(), text: session.text() };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function withoutColourOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.FORCE_COLOR;
  delete copy.NO_COLOR;
  delete copy.CI;
  return copy;
}
