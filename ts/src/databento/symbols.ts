// Which raw symbols a DataBento request names: a continuous-future root (MES) becomes the dated contracts the
// roll rule (spec §6.1, engine/asset.ts contractAt) picks over the window, each over the part it owns.

import { CONTRACTS, contractAt, nextContract } from "../engine/asset.js";
import { FerrobtError } from "../errors.js";

/** One raw symbol to fetch over [startMs, endMs) (ms UTC); `root` when it stands for a continuous future. */
export interface SymbolRange {
  readonly symbol: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly root?: string;
}

/** Datasets whose futures roots resolve to contracts (CME Globex, the dataset Lumibot uses for futures). */
const FUTURES_DATASETS = new Set(["GLBX.MDP3"]);

/** True when `symbol` is read as a continuous-future root on `dataset`: a root of the contract table on GLBX.MDP3. */
export function isContinuousRoot(dataset: string, symbol: string): boolean {
  return FUTURES_DATASETS.has(dataset) && Object.hasOwn(CONTRACTS, symbol);
}

/**
 * The contracts of `root` over [startMs, endMs): the contract of `startMs`, then each next one, each over the
 * span it owns (from the previous roll instant to its own, clipped to the window). The engine stitches
 * the same spans (it drops the bar stamped at the roll instant, which is fetched with the new contract).
 */
export function contractsFor(root: string, startMs: number, endMs: number): SymbolRange[] {
  if (!(endMs > startMs)) throw new FerrobtError("ERR_ARGUMENT", `argument 'end': must be after start for ${root}`);
  const out: SymbolRange[] = [];
  let c = contractAt(root, startMs);
  let from = startMs;
  for (let guard = 0; guard < 1000; guard++) {
    const to = Math.min(endMs, c.rollAt);
    if (to > from) out.push({ symbol: c.symbol, startMs: from, endMs: to, root });
    if (c.rollAt >= endMs) return out;
    from = Math.max(from, c.rollAt);
    c = nextContract(c);
  }
  throw new FerrobtError("ERR_ARGUMENT", `argument 'end': the window of ${root} spans more than 1000 contracts`);
}

/** Every raw symbol of a request: roots resolved to contracts, other symbols passed as given, each once. */
export function resolveSymbols(dataset: string, symbols: readonly string[], startMs: number, endMs: number): SymbolRange[] {
  const out: SymbolRange[] = [];
  const seen = new Set<string>();
  for (const s of symbols) {
    const ranges = isContinuousRoot(dataset, s) ? contractsFor(s, startMs, endMs) : [{ symbol: s, startMs, endMs }];
    for (const r of ranges) {
      const key = `${r.symbol}\u0000${r.startMs}\u0000${r.endMs}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}
