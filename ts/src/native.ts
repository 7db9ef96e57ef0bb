// Loads the N-API binding through the napi-rs generated loader (local build or platform package).

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as Binding from "../native/binding.cjs";
import { FerrobtError } from "./errors.js";

export type NativeBinding = typeof Binding;
export type NativeBarStore = Binding.NativeBarStore;
export type NativeCatalog = Binding.NativeCatalog;
export type NativeColumns = Binding.JsColumns;

const require = createRequire(import.meta.url);

/** The loader sits at ts/native/binding.cjs: beside ts/src in the repo, beside dist when packed. */
function loaderPath(): string {
  const candidates = ["../native/binding.cjs", "../ts/native/binding.cjs"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new FerrobtError("ERR_NATIVE_LOAD", `ferrobt's native loader was not found (looked in ${candidates.join(", ")})`);
  return found;
}

let cached: NativeBinding | undefined;

/** The native binding, loaded once. */
export function native(): NativeBinding {
  if (!cached) {
    try {
      cached = require(loaderPath()) as NativeBinding;
    } catch (cause) {
      if (cause instanceof FerrobtError) throw cause;
      throw new FerrobtError("ERR_NATIVE_LOAD", `ferrobt's native addon failed to load: ${(cause as Error).message}`, { cause });
    }
  }
  return cached;
}
