/**
 * A minimal protobuf wire reader for tests: enough to walk an OTLP request by field numbers
 * (opentelemetry-proto) without the .proto files. Not the code under test.
 */
export interface Field {
  readonly field: number;
  readonly wire: number;
  /** varint and fixed values as bigint; length-delimited as bytes. */
  readonly value: bigint | Uint8Array;
}

export function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const fixed = (n: number): bigint => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i] as number);
    pos += n;
    return v;
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) out.push({ field, wire, value: fixed(8) });
    else if (wire === 5) out.push({ field, wire, value: fixed(4) });
    else if (wire === 2) {
      const length = Number(varint());
      out.push({ field, wire, value: bytes.subarray(pos, pos + length) });
      pos += length;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

/** The sub-messages (or strings, as bytes) of `field`. */
export function messages(bytes: Uint8Array, field: number): Uint8Array[] {
  return fields(bytes)
    .filter((f) => f.field === field && f.value instanceof Uint8Array)
    .map((f) => f.value as Uint8Array);
}

export function string(bytes: Uint8Array, field: number): string | undefined {
  const [m] = messages(bytes, field);
  return m === undefined ? undefined : new TextDecoder().decode(m);
}

export function scalar(bytes: Uint8Array, field: number): bigint | undefined {
  const f = fields(bytes).find((x) => x.field === field && !(x.value instanceof Uint8Array));
  return f?.value as bigint | undefined;
}

/** A fixed64 field read as a double. */
export function double(bytes: Uint8Array, field: number): number | undefined {
  const v = scalar(bytes, field);
  if (v === undefined) return undefined;
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, v, true);
  return view.getFloat64(0, true);
}

/** KeyValue attributes (`field`) with string (1), bool (2), int (3) or double (4) values. */
export function attributes(bytes: Uint8Array, field: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of messages(bytes, field)) {
    const key = string(kv, 1) as string;
    const [value] = messages(kv, 2);
    if (value === undefined) continue;
    const [f] = fields(value);
    if (f === undefined) continue;
    if (f.field === 1) out[key] = new TextDecoder().decode(f.value as Uint8Array);
    else if (f.field === 2) out[key] = f.value === 1n;
    else if (f.field === 3) out[key] = Number(f.value);
    else if (f.field === 4) out[key] = double(value, 4);
    else out[key] = '(complex)';
  }
  return out;
}
