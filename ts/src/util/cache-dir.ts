// ferrobt's cache directory on this machine: $FERROBT_CACHE_DIR, else $XDG_CACHE_HOME/ferrobt, else ~/.cache/ferrobt.

import { homedir } from "node:os";
import { join } from "node:path";

/** The folder `name` of ferrobt's cache directory (not created here). */
export function cacheDirOf(name: string): string {
  const base = process.env.FERROBT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "ferrobt");
  return join(base, name);
}
