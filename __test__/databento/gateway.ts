// A fake DataBento historical gateway on 127.0.0.1 for the tests: checks Basic auth and the get_range form,
// serves the DBN that BarStore.writeDbn wrote, cut to the request's symbols and range, and fails on demand.

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { BarStore } from "../../ts/src/index.js";
import { tempDir } from "../helpers/fixtures.js";

/** One get_range the gateway received. */
export interface RangeRequest {
  readonly symbols: string[];
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly form: Record<string, string>;
}

/** How the gateway answers the next get_range (a plan entry is used once, `forever` ones always). */
export interface Behaviour {
  status?: number;
  detail?: string;
  retryAfter?: string;
  warnings?: string[];
  /** Declares the whole length, sends half, then destroys the connection. */
  cut?: boolean;
  /** A complete HTTP answer whose DBN stops halfway (a cut zstd frame). */
  corrupt?: boolean;
  /** Sends half the body, then nothing until the client goes away (calls `onStall`). */
  stall?: boolean;
  forever?: boolean;
}

export interface FakeGateway {
  readonly url: string;
  readonly key: string;
  /** get_range requests that passed the auth check, in order. */
  readonly ranges: RangeRequest[];
  /** Every request: method and path, auth failures included. */
  readonly log: string[];
  /** Behaviours for the next get_range requests. */
  plan(...b: Behaviour[]): void;
  /** Drops what is left of the plan (a `forever` behaviour included). */
  reset(): void;
  /** The end metadata.get_dataset_range reports (ns; default: after the data). */
  availableEndNs: bigint;
  /** Resolves when a stalled answer has sent its first half. */
  stalled(): Promise<void>;
  close(): Promise<void>;
}

const DATASET = "GLBX.MDP3";

/** DBN of `store` as records the gateway can filter: the metadata bytes and each record's instrument id and ts_event. */
function dbnOf(store: BarStore): { header: Buffer; records: Array<{ id: number; ts: bigint; bytes: Buffer }>; ids: Map<string, number> } {
  const path = join(tempDir("ferrobt-gateway-"), "all.dbn");
  store.writeDbn(path, { zstd: false, dataset: DATASET });
  const buf = readFileSync(path);
  if (buf.toString("latin1", 0, 3) !== "DBN") throw new Error("writeDbn did not write DBN");
  const headerEnd = 8 + buf.readUInt32LE(4);
  const records: Array<{ id: number; ts: bigint; bytes: Buffer }> = [];
  for (let off = headerEnd; off < buf.length; ) {
    const len = buf[off] * 4;
    records.push({ id: buf.readUInt32LE(off + 4), ts: buf.readBigUInt64LE(off + 8), bytes: buf.subarray(off, off + len) });
    off += len;
  }
  // writeDbn numbers instruments 1, 2, … in symbol order.
  const ids = new Map([...store.symbols()].sort().map((s, i) => [s, i + 1]));
  return { header: buf.subarray(0, headerEnd), records, ids };
}

/** `data` as one zstd frame of raw (stored) blocks: valid zstd that any decoder reads, no compressor needed. */
function zstdFrame(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0])];
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(data.length));
  parts.push(size);
  let pos = 0;
  do {
    const n = Math.min(data.length - pos, 128 * 1024);
    const h = (n << 3) | (pos + n >= data.length ? 1 : 0);
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), data.subarray(pos, pos + n));
    pos += n;
  } while (pos < data.length);
  return Buffer.concat(parts);
}

/** ISO 8601 with up to 9 fraction digits and Z → ns (the gateway's own parse, independent of the client's). */
function nsOf(text: string | undefined): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text ?? "");
  if (!m) return undefined;
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

function isoOf(ns: bigint): string {
  return `${new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

/** Starts the gateway on 127.0.0.1 (a free port) serving `store`'s bars. */
export async function startGateway(store: BarStore, key = "db-TESTKEY0123456789abcdefXYZ"): Promise<FakeGateway> {
  const dbn = dbnOf(store);
  let lastTs = 0n;
  for (const r of dbn.records) if (r.ts > lastTs) lastTs = r.ts;
  const plan: Behaviour[] = [];
  const stallWaiters: Array<() => void> = [];
  const gw = {
    url: "",
    key,
    ranges: [] as RangeRequest[],
    log: [] as string[],
    availableEndNs: lastTs + 86_400_000_000_000n,
    plan: (...b: Behaviour[]) => void plan.push(...b),
    reset: () => void plan.splice(0),
    stalled: () => new Promise<void>((resolve) => stallWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const json = (res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(doc));
  };
  const authorised = (req: IncomingMessage) => req.headers.authorization === `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    gw.log.push(`${req.method} ${url.pathname}`);
    if (!authorised(req)) return json(res, 401, { detail: "Authentication failed." });
    if (req.method === "GET" && url.pathname === "/v0/metadata.get_dataset_range") {
      if (url.searchParams.get("dataset") !== DATASET) return json(res, 422, { detail: `unknown dataset ${url.searchParams.get("dataset")}` });
      const [start, end] = ["2010-06-06T00:00:00.000000000Z", isoOf(gw.availableEndNs)];
      return json(res, 200, { start, end: isoOf(gw.availableEndNs + 3_600_000_000_000n), schema: { "ohlcv-1m": { start, end } } });
    }
    if (req.method !== "POST" || url.pathname !== "/v0/timeseries.get_range") return json(res, 404, { detail: "Not found" });
    if (req.headers["content-type"] !== "application/x-www-form-urlencoded") return json(res, 400, { detail: "expected a form body" });
    let body = "";
    for await (const chunk of req) body += chunk;
    const form = Object.fromEntries(new URLSearchParams(body));
    const expected = { dataset: DATASET, schema: "ohlcv-1m", stype_in: "raw_symbol", encoding: "dbn", compression: "zstd" };
    for (const [k, v] of Object.entries(expected)) {
      if (form[k] !== v) return json(res, 422, { detail: `${k}: expected ${v}, got ${form[k]}` });
    }
    const [startNs, endNs] = [nsOf(form.start), nsOf(form.end)];
    if (startNs === undefined || endNs === undefined || endNs <= startNs) return json(res, 422, { detail: `bad start/end ${form.start} ${form.end}` });
    if (endNs > gw.availableEndNs) return json(res, 422, { detail: "data_end_after_available_end" });
    const symbols = (form.symbols ?? "").split(",").filter((s) => s !== "");
    if (symbols.length === 0) return json(res, 422, { detail: "symbols: none given" });
    gw.ranges.push({ symbols, startNs, endNs, form });
    const b = plan[0] ?? {};
    if (plan.length > 0 && !b.forever) plan.shift();
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (b.warnings) headers["x-warning"] = JSON.stringify(b.warnings);
    if (b.status && b.status >= 400) {
      if (b.retryAfter !== undefined) headers["retry-after"] = b.retryAfter;
      return json(res, b.status, { detail: b.detail ?? `status ${b.status}` }, headers);
    }
    const ids = new Set(symbols.map((s) => dbn.ids.get(s)).filter((x) => x !== undefined));
    const picked = dbn.records.filter((r) => ids.has(r.id) && r.ts >= startNs && r.ts < endNs).map((r) => r.bytes);
    const full = zstdFrame(Buffer.concat([dbn.header, ...picked]));
    const half = full.subarray(0, full.length >> 1);
    if (b.corrupt) {
      res.writeHead(200, { ...headers, "content-length": String(half.length) });
      return res.end(half);
    }
    res.writeHead(200, { ...headers, "content-length": String(full.length) });
    if (b.cut) {
      res.write(half, () => res.destroy());
      return;
    }
    if (b.stall) {
      res.write(half, () => {
        for (const w of stallWaiters.splice(0)) w();
      });
      return;
    }
    res.end(full);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => json(res, 500, { detail: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gw.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return gw;
}
