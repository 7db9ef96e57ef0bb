// The instant a run is at: one object the session clock moves and the market data, broker and
// strategy runtime read, as components share a clock, instead of a time handed along every call.

/**
 * The run's current instant. Held, not passed: a double passed to a call V8 does not inline is boxed
 * into a new heap number per call, where a double field is written and read in place.
 */
export class RunInstant {
  /**
   * ms UTC. Starts as a number, so V8 keeps the field a double (one that starts undefined stays
   * tagged and boxes every store).
   */
  ms = Number.NaN;

  constructor(ms = Number.NaN) {
    this.ms = ms;
  }
}
