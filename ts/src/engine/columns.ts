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
 * Where the next column of one kind starts: with room for as many entries as the last column of that
 * kind holds when the next one is made (in a sweep, the previous run's), rounded up to a power of two
 * and capped, so that runs alike fill their columns without doubling them up again from a few rows.
 * The last owner is held weakly; once it is collected, the capacity it last grew to stands in. It
 * changes how much is allocated, never what is stored.
 */
export class CapacityHint<T extends object> {
  private last: WeakRef<T> | undefined;
  private lastGrown: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
    /** How many entries an owner's columns hold. */
    private readonly used: (owner: T) => number,
  ) {
    this.lastGrown = min;
  }

  /** The capacity the columns of `owner`, a new owner of this kind, start with (it becomes the last one). */
  start(owner: T): number {
    const previous = this.last?.deref();
    const n = previous === undefined ? this.lastGrown : this.used(previous);
    this.last = new WeakRef(owner);
    let capacity = this.min;
    while (capacity < n && capacity < this.max) capacity *= 2;
    return capacity;
  }

  /** An owner's columns grew to `capacity`. */
  grewTo(capacity: number): void {
    this.lastGrown = Math.max(this.min, Math.min(this.max, capacity));
  }
}
