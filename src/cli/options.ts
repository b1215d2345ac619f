import { CommanderError, InvalidArgumentError } from 'commander';

/** Writes `gax COMMAND: message` and returns the error that makes `main` exit 2. */
export function usage(command: string, message: string): CommanderError {
  process.stderr.write(`gax ${command}: ${message}\n`);
  return new CommanderError(2, 'gax.usage', message);
}

export function emptyToUndefined(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`not a positive integer: ${value}`);
  return n;
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1)
    throw new InvalidArgumentError(`not a number of seconds >= 0.1: ${value}`);
  return n;
}

export function duration(value: string): string {
  if (!/^[0-9]+(ms|s|m|h|d)$/.test(value))
    throw new InvalidArgumentError(`not a duration such as 30s, 5m or 1h: ${value}`);
  return value;
}

export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`not a port number: ${value}`);
  return n;
}
