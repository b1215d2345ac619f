/** Shared types and JSON helpers of the Kibana saved-object validator. */

export type Json = Record<string, unknown>;

export interface Entry {
  readonly line: number;
  readonly id: string;
  readonly type: string;
  readonly object: Json;
}

export interface Reference {
  readonly name: string;
  readonly type: string;
  readonly id: string;
}

export function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
