// DataBento's historical API: timeseries.get_range over HTTP (Node's fetch) into the local cache, retries
// with backoff, typed errors, warnings; continuous-future roots resolved to contracts; opening what is cached.

import { unlinkSync } from "node:fs";
import { parseTime } from "../engine/backtest.js";
import { FerrobtError } from "../errors.js";
import { BarStore } from "../store/BarStore.js";
import { msToNs, type TimeInput } from "../time.js";
import { AtomicFile, defaultCacheDir, fileName, filesFor, listRanges, missingRanges, removeStaleTemps, symbolDir } from "./cache.js";
import { resolveSymbols, type SymbolRange } from "./symbols.js";

/** DataBento's historical gateway. */
export const DEFAULT_GATEWAY = "https://hist.databento.com";

/** The bar schemas the store reads (and so the ones fetched into the cache). */
export type DataBentoSchema = "ohlcv-1s" | "ohlcv-1m" | "ohlcv-1h" | "ohlcv-1d";
const SCHEMAS: readonly DataBentoSchema[] = ["ohlcv-1s", "ohlcv-1m", "ohlcv-1h", "ohlcv-1d"];

export interface DataBentoOptions {
  /** API key (default `DATABENTO_API_KEY`); only needed when something must be fetched. Never printed or written. */
  key?: string;
  /** Gateway base URL (default `DATABENTO_GATEWAY`, else https://hist.databento.com). */
  gateway?: string;
  /** Cache directory (default `FERROBT_CACHE`, else `~/.cache/ferrobt/databento`). */
  cacheDir?: string;
  /** Retries after the first attempt of a request on 408/429/5xx or a lost connection (default 5). */
  retries?: number;
  /** First backoff in ms, doubled per retry with jitter (default 1000, or `FERROBT_DATABENTO_BACKOFF_MS`). */
  backoffMs?: number;
  /** Longest single wait in ms, also for `Retry-After` (default 60 000). */
  maxBackoffMs?: number;
  /** A request fails when no byte arrives for this long (default 100 000 ms). */
  timeoutMs?: number;
  /** Called with each warning the gateway sends (they are also in the fetch report). */
  onWarning?: (warning: DataBentoWarning) => void;
  /** Called as requests start, retry and finish (for progress lines; the key is never in an event). */
  onEvent?: (event: DataBentoEvent) => void;
}

/** A warning from an `X-Warning` header (`"Warning: text"`), or the client's own (`kind: "Client"`). */
export interface DataBentoWarning {
  readonly kind: string;
  readonly message: string;
  readonly symbol?: string;
}

export type DataBentoEvent =
  | { type: "request"; dataset: string; schema: string; symbol: string; start: string; end: string; attempt: number }
  | { type: "retry"; symbol: string; reason: string; delayMs: number; attempt: number }
  | { type: "cached"; symbol: string; bytes: number; records: number; path: string };

/** What to fetch: raw symbols, or continuous-future roots (`MES` on GLBX.MDP3) resolved by the roll rule. */
export interface FetchRequest {
  dataset: string;
  symbols: string | readonly string[];
  /** Default `ohlcv-1m`. */
  schema?: DataBentoSchema;
  /** Inclusive start: ms UTC, ns bigint, Date, or a string (New York wall clock `YYYY-MM-DD[THH:MM]`, or ISO with offset). */
  start: TimeInput | string;
  /** Exclusive end, as `start`. */
  end: TimeInput | string;
}

/** One raw symbol's part of a fetch. */
export interface SymbolReport {
  readonly symbol: string;
  readonly root?: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** The ranges requested from the gateway (none: the cache covered it). */
  readonly fetched: ReadonlyArray<readonly [bigint, bigint]>;
  /** The cache files holding bars of this symbol's range. */
  readonly files: readonly string[];
}

export interface FetchReport {
  readonly dataset: string;
  readonly schema: DataBentoSchema;
  readonly symbols: readonly SymbolReport[];
  /** Every file holding bars for the request, by symbol and time. */
  readonly files: readonly string[];
  /** True when two cached files overlap (left by fetches racing); reads then drop duplicate bars. */
  readonly overlap: boolean;
  /** HTTP requests made (retries included); 0 when the cache covered everything. */
  readonly requests: number;
  readonly bytes: number;
  readonly warnings: readonly DataBentoWarning[];
}

interface DatasetRange {
  all: { startNs: bigint; endNs: bigint };
  schemas: Map<string, { startNs: bigint; endNs: bigint }>;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** DataBento's historical API with a local cache: {@link fetch} fills the cache, {@link open} reads it. */
export class DataBento {
  readonly gateway: string;
  readonly cacheDir: string;
  /** An ES private field: not in JSON.stringify, util.inspect or console.log of the client. */
  readonly #key: string | undefined;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly onWarning?: (w: DataBentoWarning) => void;
  private readonly onEvent?: (e: DataBentoEvent) => void;
  private readonly ranges = new Map<string, Promise<DatasetRange>>();
  private requestCount = 0;

  constructor(options: DataBentoOptions = {}) {
    const env = process.env;
    this.#key = options.key ?? (env.DATABENTO_API_KEY || undefined);
    this.gateway = (options.gateway ?? (env.DATABENTO_GATEWAY || DEFAULT_GATEWAY)).replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]/.test(this.gateway)) throw new FerrobtError("ERR_ARGUMENT", `argument 'gateway': '${this.gateway}' is not an http(s) URL`);
    this.cacheDir = options.cacheDir ?? defaultCacheDir(env);
    this.retries = count("retries", options.retries ?? 5);
    this.backoffMs = count("backoffMs", options.backoffMs ?? (env.FERROBT_DATABENTO_BACKOFF_MS ? Number(env.FERROBT_DATABENTO_BACKOFF_MS) : 1000));
    this.maxBackoffMs = count("maxBackoffMs", options.maxBackoffMs ?? 60_000);
    this.timeoutMs = count("timeoutMs", options.timeoutMs ?? 100_000);
    this.onWarning = options.onWarning;
    this.onEvent = options.onEvent;
  }

  /** HTTP requests this client made so far. */
  get requests(): number {
    return this.requestCount;
  }

  /**
   * Makes the cache hold the request: per raw symbol, what the cache lacks is fetched (one
   * `timeseries.get_range` per missing range, clamped to the dataset's available end) and written
   * atomically; a request the cache covers makes no network call and needs no key.
   */
  async fetch(request: FetchRequest): Promise<FetchReport> {
    const { dataset, schema, symbols } = checkRequest(request);
    const startMs = parseTime("start", request.start);
    const endMs = parseTime("end", request.end);
    if (!(endMs > startMs)) throw new FerrobtError("ERR_ARGUMENT", "argument 'end': must be after start");
    const warnings: DataBentoWarning[] = [];
    const warn = (w: DataBentoWarning) => {
      warnings.push(w);
      this.onWarning?.(w);
    };
    const before = this.requestCount;
    let bytes = 0;
    const reports: SymbolReport[] = [];
    let overlap = false;
    for (const r of resolveSymbols(dataset, symbols, startMs, endMs)) {
      const report = await this.fetchSymbol(dataset, schema, r, warn);
      bytes += report.bytes;
      overlap ||= report.overlap;
      reports.push(report.symbol);
    }
    const files = [...new Set(reports.flatMap((r) => r.files))];
    return { dataset, schema, symbols: reports, files, overlap, requests: this.requestCount - before, bytes, warnings };
  }

  /** Fetches what the cache lacks (see {@link fetch}) and opens the request's bars from the cache. */
  async open(request: FetchRequest): Promise<BarStore> {
    return (await this.load(request)).store;
  }

  /**
   * {@link open} with the fetch report. A cached file that no longer reads as DBN (damaged on disk after
   * it was checked and committed) is deleted with a warning and fetched again, once, as Lumibot does
   * with an unreadable cache file (§7.3).
   */
  async load(request: FetchRequest): Promise<{ store: BarStore; report: FetchReport }> {
    const [startMs, endMs] = [parseTime("start", request.start), parseTime("end", request.end)];
    const report = await this.fetch(request);
    try {
      return { store: await openReport(report, startMs, endMs), report };
    } catch (e) {
      const damaged = (e as { code?: string }).code === "ERR_DBN" ? report.files.find((f) => (e as Error).message.includes(f)) : undefined;
      if (damaged === undefined) throw e;
      const w = { kind: "Client", message: `${damaged} does not read as DBN (${(e as Error).message}); deleted and fetched again` };
      this.onWarning?.(w);
      unlinkSync(damaged);
      const again = await this.fetch(request);
      return { store: await openReport(again, startMs, endMs), report: { ...again, warnings: [...report.warnings, w, ...again.warnings] } };
    }
  }

  private async fetchSymbol(
    dataset: string,
    schema: DataBentoSchema,
    r: SymbolRange,
    warn: (w: DataBentoWarning) => void,
  ): Promise<{ symbol: SymbolReport; bytes: number; overlap: boolean }> {
    const dir = symbolDir(this.cacheDir, dataset, schema, r.symbol);
    const startNs = msToNs(r.startMs);
    const endNs = msToNs(r.endMs);
    const missing = missingRanges(listRanges(dir), startNs, endNs);
    const fetched: Array<[bigint, bigint]> = [];
    let bytes = 0;
    if (missing.length > 0) {
      removeStaleTemps(dir);
      const available = await this.datasetRange(dataset, schema);
      for (const [missingFrom, to] of missing) {
        let from = missingFrom;
        if (available.startNs > from) from = available.startNs;
        let end = to;
        if (available.endNs < end) end = available.endNs;
        if (end < to) {
          warn({
            kind: "Client",
            symbol: r.symbol,
            message: `${dataset} has data up to ${isoNs(available.endNs)}: ${r.symbol} is fetched to there, not to ${isoNs(to)} (the rest is fetched once it is available)`,
          });
        }
        if (end <= from) continue;
        bytes += await this.download(dir, { dataset, schema, symbol: r.symbol, startNs: from, endNs: end }, warn);
        fetched.push([from, end]);
      }
    }
    const { files, overlap } = filesFor(listRanges(dir), startNs, endNs);
    return { symbol: { symbol: r.symbol, root: r.root, startNs, endNs, fetched, files }, bytes, overlap };
  }

  /**
   * The dataset's available range for `schema` (`metadata.get_dataset_range`: the schema's own range
   * when the answer lists one, else the dataset's), asked once per client and dataset.
   */
  async datasetRange(dataset: string, schema?: string): Promise<{ startNs: bigint; endNs: bigint }> {
    let p = this.ranges.get(dataset);
    if (!p) {
      p = this.datasetRangeOnce(dataset);
      p.catch(() => this.ranges.delete(dataset));
      this.ranges.set(dataset, p);
    }
    const doc = await p;
    return (schema !== undefined ? doc.schemas.get(schema) : undefined) ?? doc.all;
  }

  private async datasetRangeOnce(dataset: string): Promise<DatasetRange> {
    const what = `metadata.get_dataset_range ${dataset}`;
    const url = `${this.gateway}/v0/metadata.get_dataset_range?${new URLSearchParams({ dataset })}`;
    const res = await this.send(
      what,
      dataset,
      { attempts: 0 },
      () => ({ url, init: { method: "GET" } }),
      () => undefined,
    );
    const text = await readText(res, this.timeoutMs, what);
    let doc: { start?: unknown; end?: unknown; schema?: Record<string, { start?: unknown; end?: unknown }> };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: the answer is not JSON`);
    }
    const rangeOf = (d: { start?: unknown; end?: unknown } | undefined) => {
      const [startNs, endNs] = [isoToNs(d?.start), isoToNs(d?.end)];
      return startNs === undefined || endNs === undefined ? undefined : { startNs, endNs };
    };
    const all = rangeOf(doc);
    if (!all) throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: the answer has no start/end times`);
    const schemas = new Map<string, { startNs: bigint; endNs: bigint }>();
    for (const [name, d] of Object.entries(doc.schema && typeof doc.schema === "object" ? doc.schema : {})) {
      const r = rangeOf(d);
      if (r) schemas.set(name, r);
    }
    return { all, schemas };
  }

  /** One get_range into the cache: streamed to a temporary file, checked as DBN of that symbol and range, then renamed. */
  private async download(
    dir: string,
    q: { dataset: string; schema: DataBentoSchema; symbol: string; startNs: bigint; endNs: bigint },
    warn: (w: DataBentoWarning) => void,
  ): Promise<number> {
    const start = isoNs(q.startNs);
    const end = isoNs(q.endNs);
    const what = `timeseries.get_range ${q.dataset} ${q.schema} ${q.symbol} [${start}, ${end})`;
    const form = new URLSearchParams({
      dataset: q.dataset,
      symbols: q.symbol,
      schema: q.schema,
      start,
      end,
      stype_in: "raw_symbol",
      stype_out: "instrument_id",
      encoding: "dbn",
      compression: "zstd",
    });
    const tentative = fileName(q.startNs, q.endNs, false);
    const budget = { attempts: 0 };
    for (;;) {
      const res = await this.send(
        what,
        q.symbol,
        budget,
        () => {
          this.onEvent?.({ type: "request", dataset: q.dataset, schema: q.schema, symbol: q.symbol, start, end, attempt: budget.attempts });
          return {
            url: `${this.gateway}/v0/timeseries.get_range`,
            init: { method: "POST", body: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } },
          };
        },
        (w) => warn({ ...w, symbol: q.symbol }),
      );
      const file = await AtomicFile.create(dir, tentative);
      let bytes = 0;
      try {
        bytes = await streamTo(res, file, this.timeoutMs);
        await file.close();
      } catch (e) {
        await file.discard();
        const got = (e as { bytes?: number }).bytes ?? 0;
        const reason = `the answer was cut after ${got} bytes (${redact(errorText(e), this.#key)})`;
        if (budget.attempts > this.retries) throw new FerrobtError("ERR_NETWORK", `DataBento ${what}: ${reason}; gave up after ${budget.attempts} attempts`);
        const delayMs = this.backoff(budget.attempts);
        this.onEvent?.({ type: "retry", symbol: q.symbol, reason, delayMs, attempt: budget.attempts });
        await sleep(delayMs);
        continue;
      }
      try {
        const { records, empty } = checkDbn(file.tempPath, bytes, q, what);
        const path = await file.commit(fileName(q.startNs, q.endNs, empty));
        this.onEvent?.({ type: "cached", symbol: q.symbol, bytes, records, path });
        return bytes;
      } catch (e) {
        await file.discard();
        throw e;
      }
    }
  }

  /**
   * Sends a request until it answers 2xx: 408, 429, 5xx and lost connections are retried (Retry-After
   * honoured, else exponential backoff with jitter) up to `retries` times; other answers are typed errors.
   */
  private async send(
    what: string,
    label: string,
    budget: { attempts: number },
    make: () => { url: string; init: RequestInit },
    onWarning: (w: DataBentoWarning) => void,
  ): Promise<Response> {
    if (!this.#key) throw new FerrobtError("ERR_AUTH", `DataBento ${what}: no API key (set DATABENTO_API_KEY)`);
    const auth = `Basic ${Buffer.from(`${this.#key}:`).toString("base64")}`;
    for (;;) {
      const attempt = ++budget.attempts;
      const { url, init } = make();
      this.requestCount++;
      let res: Response;
      // The timeout covers the wait for the answer's head only (the body has its own idle timeout in streamTo):
      // a signal passed to fetch would also cut a long download.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        res = await fetch(url, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), authorization: auth, accept: "application/json", "user-agent": USER_AGENT },
          signal: abort.signal,
        });
      } catch (e) {
        const reason = redact(errorText(e), this.#key);
        if (attempt > this.retries) throw new FerrobtError("ERR_NETWORK", `DataBento ${what}: ${this.gateway} unreachable (${reason}); ${attempt} attempts`);
        const delayMs = this.backoff(attempt);
        this.onEvent?.({ type: "retry", symbol: label, reason, delayMs, attempt });
        await sleep(delayMs);
        continue;
      } finally {
        clearTimeout(timer);
      }
      for (const w of parseWarnings(res.headers.get("x-warning"))) onWarning(w);
      if (res.ok) return res;
      const detail = redact(await errorDetail(res, this.timeoutMs), this.#key);
      if (res.status === 401 || res.status === 403) {
        throw new FerrobtError("ERR_AUTH", `DataBento ${what}: HTTP ${res.status}${detail ? `: ${detail}` : ""} (check DATABENTO_API_KEY)`);
      }
      if (!RETRY_STATUS.has(res.status)) throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: HTTP ${res.status}${detail ? `: ${detail}` : ""}`);
      if (attempt > this.retries) {
        throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: HTTP ${res.status}${detail ? `: ${detail}` : ""}; gave up after ${attempt} attempts`);
      }
      const retryAfter = retryAfterMs(res.headers.get("retry-after"));
      const delayMs = retryAfter === undefined ? this.backoff(attempt) : Math.min(retryAfter, this.maxBackoffMs);
      this.onEvent?.({ type: "retry", symbol: label, reason: `HTTP ${res.status}`, delayMs, attempt });
      await sleep(delayMs);
    }
  }

  /** The wait before retry `attempt` (1-based): base × 2^(attempt−1), capped, with half of it jittered. */
  private backoff(attempt: number): number {
    const full = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
    return Math.round(full / 2 + (Math.random() * full) / 2);
  }
}

/** Opens a fetch's cached files as one store over [startMs, endMs). */
export async function openReport(report: FetchReport, startMs: number, endMs: number): Promise<BarStore> {
  if (report.files.length === 0) {
    throw new FerrobtError(
      "ERR_NO_DATA",
      `DataBento ${report.dataset} ${report.schema}: no bars for ${report.symbols.map((s) => s.symbol).join(", ")} in the window`,
    );
  }
  return BarStore.open([...report.files], {
    start: startMs,
    end: endMs,
    ...(report.overlap ? { onDuplicate: "keepLast", onUnsorted: "sort" } : {}),
  });
}

const USER_AGENT = `ferrobt/0.1 node/${process.versions.node}`;

function count(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new FerrobtError("ERR_ARGUMENT", `argument '${name}': ${v} is not a number >= 0`);
  return v;
}

function checkRequest(r: FetchRequest): { dataset: string; schema: DataBentoSchema; symbols: string[] } {
  if (typeof r?.dataset !== "string" || !/^[A-Z0-9]+\.[A-Z0-9]+$/.test(r.dataset)) {
    throw new FerrobtError("ERR_ARGUMENT", `argument 'dataset': '${String(r?.dataset)}' is not a DataBento dataset such as GLBX.MDP3`);
  }
  const schema = r.schema ?? "ohlcv-1m";
  if (!SCHEMAS.includes(schema)) throw new FerrobtError("ERR_ARGUMENT", `argument 'schema': '${String(schema)}' is not one of ${SCHEMAS.join(", ")}`);
  const list = typeof r.symbols === "string" ? r.symbols.split(",") : [...(r.symbols ?? [])];
  const symbols = list.map((s) => (typeof s === "string" ? s.trim() : "")).filter((s) => s !== "");
  if (symbols.length === 0 || symbols.length !== list.length) throw new FerrobtError("ERR_ARGUMENT", "argument 'symbols': needs one or more non-empty symbols");
  return { dataset: r.dataset, schema, symbols };
}

/** ns UTC → ISO 8601 with nanoseconds (`2024-01-03T14:30:00.000000000Z`), as the gateway reads it. */
export function isoNs(ns: bigint): string {
  const s = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const frac = ns - s * 1_000_000_000n;
  return `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}.${frac.toString().padStart(9, "0")}Z`;
}

/** An ISO time (up to ns, `Z` or an offset; a bare date is midnight UTC) → ns, undefined when not one. */
export function isoToNs(v: unknown): bigint | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2] ?? "00:00:00"}${m[4] ?? "Z"}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? "").padEnd(9, "0"));
}

/** `X-Warning`: a JSON list of `"Kind: text"` strings. */
function parseWarnings(header: string | null): DataBentoWarning[] {
  if (!header) return [];
  let list: unknown;
  try {
    list = JSON.parse(header);
  } catch {
    return [{ kind: "Warning", message: header }];
  }
  return (Array.isArray(list) ? list : [list]).map((w) => {
    const text = String(w);
    const i = text.indexOf(": ");
    return i > 0 ? { kind: text.slice(0, i), message: text.slice(i + 2) } : { kind: "Warning", message: text };
  });
}

/** A failed answer's `detail` (JSON `{"detail": …}`), else its text cut to 300 characters. */
async function errorDetail(res: Response, timeoutMs: number): Promise<string> {
  let text = "";
  try {
    text = await readText(res, timeoutMs, "error answer");
  } catch {
    return "";
  }
  try {
    const doc = JSON.parse(text) as { detail?: unknown };
    const d = doc?.detail;
    if (d !== undefined) return typeof d === "string" ? d : JSON.stringify(d);
  } catch {
    // Not JSON: the text itself.
  }
  return text.trim().slice(0, 300);
}

async function readText(res: Response, timeoutMs: number, what: string): Promise<string> {
  const timer = setTimeout(() => void res.body?.cancel().catch(() => undefined), timeoutMs);
  try {
    return await res.text();
  } catch (e) {
    throw new FerrobtError("ERR_NETWORK", `DataBento ${what}: the answer was cut (${errorText(e)})`);
  } finally {
    clearTimeout(timer);
  }
}

/** Streams the body into `file`; fails when no byte arrives for `timeoutMs`. Returns the byte count. */
async function streamTo(res: Response, file: AtomicFile, timeoutMs: number): Promise<number> {
  if (!res.body) return 0;
  const reader = res.body.getReader();
  let bytes = 0;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { done, value } = await Promise.race([reader.read(), stalled]);
      if (done) return bytes;
      await file.write(value);
      bytes += value.length;
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { bytes });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Checks a downloaded file: DBN the store reads, bars of the asked symbol only, inside the asked range. */
function checkDbn(path: string, bytes: number, q: { symbol: string; startNs: bigint; endNs: bigint }, what: string): { records: number; empty: boolean } {
  if (bytes === 0) throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: the answer is empty (0 bytes, not DBN)`);
  let store: BarStore;
  try {
    store = BarStore.openDbnSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_EMPTY") return { records: 0, empty: true };
    throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: the answer is not readable DBN (${code}: ${(e as Error).message.replace(path, "answer")})`);
  }
  try {
    const other = store.symbols().filter((s) => s !== q.symbol);
    if (other.length > 0) throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: the answer holds other symbols (${other.join(", ")})`);
    const ts = store.columns(q.symbol).timestamps;
    if (ts[0] < q.startNs || ts[ts.length - 1] >= q.endNs) throw new FerrobtError("ERR_GATEWAY", `DataBento ${what}: the answer holds bars outside the range`);
    return { records: ts.length, empty: false };
  } finally {
    store.dispose();
  }
}

function retryAfterMs(v: string | null): number | undefined {
  if (v === null || v.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function errorText(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err?.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err?.message ?? String(e)}${cause}`;
}

/** The key never appears in a message, whatever a lower layer put there. */
function redact(text: string, key: string | undefined): string {
  if (!key) return text;
  let out = text.split(key).join("***");
  const b64 = Buffer.from(`${key}:`).toString("base64");
  out = out.split(b64).join("***");
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
