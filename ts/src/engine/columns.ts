// Growable typed-array columns: the engine's recorders append to them without an object per entry.

/** `a` copied into a Float64Array twice its length (or `atLeast`, when longer). */
export function grownF64(a: Float64Array, atLeast = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}

/** `a` copied into a Uint8Array twice its length. */
export function grownU8(a: Uint8Array): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}

/** `a` copied into an Int32Array twice its length. */
export function grownI32(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
