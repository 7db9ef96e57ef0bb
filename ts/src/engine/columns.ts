// Growable typed-array columns: the engine's recorders append to them without an object per entry.

/** `a` copied into a Float64Array twice its length (or `atLeast`, when longer). */
export function grownF64(a: Float64Array, atLeast = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}

/** `a` copied into a Uint8Array twice its length (or `atLeast`, when longer). */
export function grownU8(a: Uint8Array, atLeast = 0): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}

/** `a` copied into an Int32Array twice its length (or `atLeast`, when longer). */
export function grownI32(a: Int32Array, atLeast = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}

/**
 * The capacity one kind of growable column last grew to in this process, where the next column of
 * that kind starts (the next run of a sweep then fills its columns without doubling up to the same
 * size again). Capped, so that one very large run does not make every later one allocate its size;
 * it changes only how much is allocated, never what is stored.
 */
export class CapacityHint {
  private reached: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    this.reached = min;
  }

  /** The capacity a new column of this kind starts with. */
  get initial(): number {
    return this.reached;
  }

  /** A column of this kind grew to `capacity`. */
  grewTo(capacity: number): void {
    this.reached = Math.max(this.min, Math.min(this.max, capacity));
  }
}
