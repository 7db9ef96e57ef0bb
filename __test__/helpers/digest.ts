// A digest of every column of every symbol of a store: equal digests, equal bars.

import { createHash } from "node:crypto";
import type { BarStore } from "../../ts/src/index.js";

export function columnsDigest(store: BarStore): string {
  const hash = createHash("sha256");
  for (const s of store.symbols()) {
    const c = store.columns(s);
    for (const col of [c.timesMs, c.open, c.high, c.low, c.close, c.volume]) hash.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
  }
  return hash.digest("hex");
}
