/** Where a long command stands: bytes acknowledged of the total, events so far, time taken. */
export interface ProgressSnapshot {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly events: number;
  readonly elapsedMs: number;
  /** A short state to show, e.g. `retrying: elasticsearch 503`. */
  readonly note?: string;
}

export interface ProgressOptions {
  readonly stream: NodeJS.WritableStream;
  /** A terminal: one line redrawn in place. Otherwise a plain line every `intervalMs` and at the end. */
  readonly tty: boolean;
  readonly columns?: number;
  readonly intervalMs: number;
  readonly snapshot: () => ProgressSnapshot;
}

/** A running progress display; `clear` before writing anything else to the same terminal. */
export interface Progress {
  clear(): void;
  stop(): void;
}

/**
 * Shows progress while a command runs: on a terminal a one-line bar redrawn five times a second
 * (`\r`, then the line, then erase-to-end), otherwise a plain line every `intervalMs` for logs.
 */
export function startProgress(options: ProgressOptions): Progress {
  const { stream, tty, intervalMs, snapshot } = options;
  let drawn = false;
  const clear = (): void => {
    if (!drawn) return;
    stream.write('\r\x1b[K');
    drawn = false;
  };
  const tick = (): void => {
    if (tty) {
      stream.write(`\r${formatBar(snapshot(), options.columns ?? 80)}\x1b[K`);
      drawn = true;
    } else {
      stream.write(`${formatPlain(snapshot())}\n`);
    }
  };
  const timer = setInterval(tick, tty ? 200 : intervalMs);
  timer.unref();
  return {
    clear,
    stop: () => {
      clearInterval(timer);
      if (tty) clear();
      else stream.write(`${formatPlain(snapshot())}\n`); // where it ended, for logs
    },
  };
}

const BAR = 24;

/** `[#######.........]  45%  512.0 MiB/1.1 GiB  12.3k events/s  ETA 0:42`, cut to `columns - 1`. */
export function formatBar(s: ProgressSnapshot, columns: number): string {
  const fraction = s.bytesTotal > 0 ? Math.min(1, s.bytesDone / s.bytesTotal) : 1;
  const filled = Math.round(fraction * BAR);
  const parts = [
    `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${formatBytes(s.bytesDone)}/${formatBytes(s.bytesTotal)}`,
    `${compact(rate(s))} events/s`,
    `ETA ${formatEta(eta(s))}`,
  ];
  if (s.note !== undefined) parts.push(s.note);
  const line = parts.join('  ');
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** `progress: 45% (512.0 MiB of 1.1 GiB), 123,456 events, 12,345 events/s, ETA 0:42`. */
export function formatPlain(s: ProgressSnapshot): string {
  const fraction = s.bytesTotal > 0 ? Math.min(1, s.bytesDone / s.bytesTotal) : 1;
  const note = s.note === undefined ? '' : `; ${s.note}`;
  return `progress: ${Math.floor(fraction * 100)}% (${formatBytes(s.bytesDone)} of ${formatBytes(s.bytesTotal)}), ${grouped(s.events)} events, ${grouped(Math.round(rate(s)))} events/s, ETA ${formatEta(eta(s))}${note}`;
}

function rate(s: ProgressSnapshot): number {
  return s.elapsedMs > 0 ? (s.events * 1000) / s.elapsedMs : 0;
}

/** Seconds left at the average byte rate so far; undefined before anything is done. */
function eta(s: ProgressSnapshot): number | undefined {
  if (s.bytesDone <= 0 || s.elapsedMs <= 0) return undefined;
  return Math.max(0, (s.bytesTotal - s.bytesDone) / (s.bytesDone / (s.elapsedMs / 1000)));
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `m:ss` or `h:mm:ss`; `--:--` when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

const grouping = new Intl.NumberFormat('en-US');

function grouped(n: number): string {
  return grouping.format(n);
}
