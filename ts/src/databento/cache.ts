// The DataBento cache on disk: one DBN file per dataset, schema, raw symbol and fetched range, written
// atomically (temporary file, fsync, rename); what a symbol's files cover and which ranges are missing.

import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, unlinkSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The cache directory: `FERROBT_CACHE`, else `$XDG_CACHE_HOME/ferrobt/databento`, else
 * `~/.cache/ferrobt/databento`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FERROBT_CACHE) return env.FERROBT_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "ferrobt", "databento");
}

/** A cached file: the gateway's whole answer for [startNs, endNs); `empty` when it held no record. */
export interface CachedRange {
  readonly path: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly empty: boolean;
}

/** A path segment for a dataset, schema or raw symbol: `[A-Za-z0-9_-]` and inner dots kept, any other byte `%XX`. */
export function pathSegment(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) || (c === "." && out !== "") ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The folder of one dataset, schema and symbol. */
export function symbolDir(root: string, dataset: string, schema: string, symbol: string): string {
  return join(root, pathSegment(dataset), pathSegment(schema), pathSegment(symbol));
}

const NS_PER_MS = 1_000_000n;

/** ns UTC → `20240103T143000Z` (a fraction of a second as `.NNNNNNNNNZ`). */
export function stampOf(ns: bigint): string {
  const ms = ns / NS_PER_MS - (ns % NS_PER_MS < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  const base = iso.slice(0, 19).replace(/[-:]/g, "");
  const frac = ns - (ns / 1_000_000_000n) * 1_000_000_000n;
  return frac === 0n ? `${base}Z` : `${base}.${frac.toString().padStart(9, "0")}Z`;
}

/** `20240103T143000[.NNNNNNNNN]Z` → ns UTC (undefined when it is not one). */
export function nsOfStamp(stamp: string): bigint | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{9}))?Z$/.exec(stamp);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (Number.isNaN(ms) || stampOf(BigInt(ms) * NS_PER_MS) !== `${stamp.slice(0, 15)}Z`) return undefined;
  return BigInt(ms) * NS_PER_MS + BigInt(m[7] ?? 0);
}

const FILE = /^(\d{8}T\d{6}(?:\.\d{9})?Z)_(\d{8}T\d{6}(?:\.\d{9})?Z)(\.none)?\.dbn\.zst$/;
const TEMP = /^\..+\.(\d+)\.[0-9a-f]{12}\.part$/;

/** The name of the file holding [startNs, endNs) (`.none.dbn.zst` when the gateway had no record there). */
export function fileName(startNs: bigint, endNs: bigint, empty: boolean): string {
  return `${stampOf(startNs)}_${stampOf(endNs)}${empty ? ".none" : ""}.dbn.zst`;
}

/** The cached ranges in `dir` (names only: a file is there whole or not at all), by start. Temporary files are not listed. */
export function listRanges(dir: string): CachedRange[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const out: CachedRange[] = [];
  for (const name of names) {
    const m = FILE.exec(name);
    if (!m) continue;
    const [startNs, endNs] = [nsOfStamp(m[1]), nsOfStamp(m[2])];
    if (startNs === undefined || endNs === undefined || endNs <= startNs) continue;
    out.push({ path: join(dir, name), startNs, endNs, empty: m[3] !== undefined });
  }
  return out.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : a.endNs < b.endNs ? -1 : a.endNs > b.endNs ? 1 : 0));
}

/** [startNs, endNs) minus what `ranges` cover, as sorted disjoint ranges. */
export function missingRanges(ranges: readonly CachedRange[], startNs: bigint, endNs: bigint): Array<[bigint, bigint]> {
  const out: Array<[bigint, bigint]> = [];
  let at = startNs;
  for (const r of ranges) {
    if (at >= endNs) break;
    if (r.endNs <= at) continue;
    if (r.startNs > at) out.push([at, r.startNs < endNs ? r.startNs : endNs]);
    if (r.endNs > at) at = r.endNs;
  }
  if (at < endNs) out.push([at, endNs]);
  return out;
}

/**
 * The files with records that a read of [startNs, endNs) needs: those overlapping it, without one whose
 * range lies inside the ones already taken (two fetches racing can leave overlapping files). `overlap`
 * is true when the taken files still overlap each other (the read must then drop duplicate bars).
 */
export function filesFor(ranges: readonly CachedRange[], startNs: bigint, endNs: bigint): { files: string[]; overlap: boolean } {
  const files: string[] = [];
  let reach: bigint | undefined;
  let overlap = false;
  for (const r of ranges) {
    if (r.endNs <= startNs || r.startNs >= endNs) continue;
    if (reach !== undefined && r.endNs <= reach) continue;
    if (reach !== undefined && r.startNs < reach) overlap = true;
    reach = r.endNs;
    if (!r.empty) files.push(r.path);
  }
  return { files, overlap };
}

/** Whether the process `pid` is alive (a temporary file of a live process is its fetch in progress). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Deletes the temporary files that killed fetches left in `dir` (their process is gone); returns how many. */
export function removeStaleTemps(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // Another process removed it first.
    }
  }
  return removed;
}

/**
 * A file being written: bytes go to `.<name>.<pid>.<random>.part` beside the final name; `commit` fsyncs it,
 * renames it to its final name and fsyncs the folder, `discard` deletes it. A reader never sees a final
 * name before its whole content, and a killed writer leaves only a temporary name that no listing reads.
 */
export class AtomicFile {
  private constructor(
    readonly dir: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(dir: string, finalName: string): Promise<AtomicFile> {
    mkdirSync(dir, { recursive: true });
    const tempPath = join(dir, `.${finalName}.${process.pid}.${randomBytes(6).toString("hex")}.part`);
    return new AtomicFile(dir, tempPath, await open(tempPath, "wx"));
  }

  async write(chunk: Uint8Array): Promise<void> {
    let done = 0;
    while (done < chunk.length) done += (await this.handle.write(chunk, done, chunk.length - done)).bytesWritten;
  }

  /** Flushes and closes the temporary file (before it is checked and committed). */
  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
  }

  async commit(finalName: string): Promise<string> {
    const path = join(this.dir, finalName);
    await rename(this.tempPath, path);
    const dirHandle = await open(this.dir, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return path;
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    try {
      unlinkSync(this.tempPath);
    } catch {
      // Already gone.
    }
  }
}
