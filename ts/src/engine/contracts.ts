// A run's contract specifications: DBN definition records (the data source's instruments) supply the
// multiplier and tick size of futures the built-in table does not know.

import type { Instrument } from "../store/BarStore.js";
import { Asset, futuresRoot, hasGivenMultiplier, isKnownContract, withoutContractMonth } from "./asset.js";

/**
 * Resolves the assets a strategy names to the ones the run books. A future (or continuous future)
 * whose root is not in the built-in table and that was built without a multiplier of its own takes
 * the multiplier of its definition: the contract's own for a dated future, any definition of the root
 * for a continuous one (they share the contract size). Known roots keep the table's figures, Lumibot's,
 * even when a definition says otherwise; every future with a definition gets its tick size. Stocks and
 * assets without a definition are returned unchanged. A resolved asset is built once per key, so a
 * run sees one object per asset.
 */
export class ContractBook {
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly byRoot = new Map<string, Instrument>();
  private readonly resolved = new Map<string, Asset>();

  constructor(instruments: readonly Instrument[]) {
    for (const i of instruments) {
      if (i.instrumentClass !== "F") continue;
      const symbol = i.symbol.trim().toUpperCase();
      this.bySymbol.set(symbol, i);
      // A dated contract's root: the symbol without its month code and year digits (`XYZM4` → `XYZ`),
      // also for roots the table does not know (futuresRoot would keep `XYZM` there).
      const stripped = withoutContractMonth(symbol);
      const root = stripped !== "" && stripped !== symbol ? stripped : futuresRoot(symbol);
      if (!this.byRoot.has(root)) this.byRoot.set(root, i);
    }
  }

  /** The asset the run books for `asset` (see the class comment). */
  resolve(asset: Asset): Asset {
    if (this.bySymbol.size === 0 || !asset.isFuture) return asset;
    const done = this.resolved.get(asset.key);
    if (done) return done;
    const definition = asset.assetType === "cont_future" ? this.byRoot.get(asset.symbol) : this.bySymbol.get(asset.symbol);
    if (!definition) return asset;
    const own = hasGivenMultiplier(asset) || isKnownContract(asset.symbol);
    const multiplier = own ? asset.multiplier : (definition.multiplier ?? asset.multiplier);
    const tickSize = definition.tickSize ?? asset.tickSize;
    const result = multiplier === asset.multiplier && tickSize === asset.tickSize ? asset : new Asset(asset.symbol, asset.assetType, multiplier, tickSize);
    this.resolved.set(asset.key, result);
    return result;
  }
}
