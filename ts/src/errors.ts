// Typed errors: every failure ferrobt raises is a FerrobtError (or a native Error) with a stable `code`.

/** Stable error codes. Native ingest codes pass through unchanged. */
export type ErrorCode =
  | "ERR_IO"
  | "ERR_PARQUET"
  | "ERR_DBN"
  | "ERR_EMPTY"
  | "ERR_LAYOUT"
  | "ERR_BUDGET"
  | "ERR_SCHEMA"
  | "ERR_NULL"
  | "ERR_NOT_FINITE"
  | "ERR_HIGH_LOW"
  | "ERR_NEGATIVE_VOLUME"
  | "ERR_TIMESTAMP_RANGE"
  | "ERR_UNSORTED"
  | "ERR_DUPLICATE"
  | "ERR_UNKNOWN_SYMBOL"
  | "ERR_ARGUMENT"
  | "ERR_TIMEFRAME"
  | "ERR_DISPOSED"
  | "ERR_INTERNAL"
  | "ERR_NATIVE_LOAD"
  | "ERR_MISSING_DEPENDENCY"
  | "ERR_ORDER"
  | "ERR_STRATEGY"
  | "ERR_NO_DATA"
  | "ERR_QUEUE"
  | "ERR_STRATEGY_HASH"
  | "ERR_AUTH"
  | "ERR_NETWORK"
  | "ERR_GATEWAY";

/** An error with a stable machine-readable `code`. */
export class FerrobtError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FerrobtError";
    this.code = code;
  }
}

/** Throws ERR_ARGUMENT naming the argument. */
export function argumentError(name: string, reason: string): never {
  throw new FerrobtError("ERR_ARGUMENT", `argument '${name}': ${reason}`);
}

/** Checks a whole, non-negative count. */
export function checkCount(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    argumentError(name, `${String(value)} is not a whole number >= 0`);
  }
  return value;
}

/** Checks a whole number from 1. */
export function checkPositiveCount(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) argumentError(name, `${String(value)} is not a whole number >= 1`);
  return value;
}

/** Checks a non-empty string. */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) argumentError(name, `${String(value)} is not a non-empty string`);
  return value;
}
