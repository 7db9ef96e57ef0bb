// Sweeps past one machine: each run is a BullMQ job on Redis, taken by `ferrobt worker` processes on any
// machine that sees the same data paths. Job ids are content hashes (strategy file, parameters, data
// files, options), so a re-submitted sweep reuses finished results; finished rows are also kept on the
// submitter's disk, so a sweep interrupted by a lost Redis resumes where it stopped.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { type Job, Queue, type RedisOptions, UnrecoverableError, Worker } from "bullmq";
import { argumentError, FerrobtError } from "../errors.js";
import { writeWhole } from "../util/files.js";
import { type RunOutcome, type RunSpec, runFailure } from "./job.js";
import { PoolRunner, type Runner } from "./runner.js";

/** The BullMQ queue every sweep and worker uses unless told otherwise. */
export const DEFAULT_QUEUE = "ferrobt-runs";

/** Bumped when a job's meaning changes, so results of older jobs are not reused. */
const JOB_FORMAT = "1";

/** A Redis URL (redis://[user:password@]host:port[/db] or rediss:// for TLS) as ioredis options; the password never appears in messages. */
export function redisOptions(url: string): { options: RedisOptions; where: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return argumentError("queue", `'${url.replace(/\/\/[^@/]*@/, "//…@")}' is not a URL like redis://host:6379`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") argumentError("queue", `'${u.protocol}' is not redis: or rediss:`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) argumentError("queue", `'${u.pathname.slice(1)}' is not a database number`);
  const options: RedisOptions = {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    // TLS checks the server's certificate against the system's CAs (NODE_EXTRA_CA_CERTS adds one).
    ...(u.protocol === "rediss:" ? { tls: isIP(u.hostname) ? {} : { servername: u.hostname } } : {}),
    // BullMQ's blocking commands need this; reconnects go on (every 0.2–2 s) while Redis is away.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
  };
  return { options, where: `${u.protocol}//${options.host}:${options.port}` };
}

/** The job id of a spec: a hash of everything that decides its outcome. */
export function jobId(spec: RunSpec): string {
  const sorted = Object.fromEntries(Object.entries(spec.parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const identity = [
    JOB_FORMAT,
    spec.strategyHash,
    JSON.stringify(sorted),
    spec.dataIdentity ?? JSON.stringify(spec.data),
    String(spec.start),
    String(spec.end),
    String(spec.budget ?? ""),
    spec.fillModel ?? "",
    String(spec.equityPoints ?? 0),
  ];
  return `run-${createHash("sha256").update(identity.join("\0")).digest("hex").slice(0, 40)}`;
}

/** How a queue sweep waits. */
export interface QueueRunnerOptions {
  /** Queue name (default "ferrobt-runs"). */
  queueName?: string;
  /** Finished outcomes are kept here (one JSON file per job id) and read first on the next run. */
  rowsDir?: string;
  /** How long Redis may be unreachable before the sweep stops with ERR_QUEUE (default 30 000 ms). */
  unreachableMs?: number;
  /** Poll interval (default 200 ms). */
  pollMs?: number;
}

/** What the last `run` did with each spec. */
export interface QueueRunCounts {
  /** Read from the rows directory: no Redis call. */
  kept: number;
  /** Finished in Redis before this run asked (a re-submitted sweep). */
  reused: number;
  /** Added to the queue (or re-added after Redis lost them) and run by a worker. */
  enqueued: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs specs as BullMQ jobs and waits for every result. */
export class QueueRunner implements Runner {
  private readonly queue: Queue;
  private readonly where: string;
  private readonly opts: Required<Omit<QueueRunnerOptions, "rowsDir">> & { rowsDir?: string };
  /** The connection's last error (a refused password, a refused connection), for ERR_QUEUE's message. */
  private lastConnectionError: string | undefined;
  counts: QueueRunCounts = { kept: 0, reused: 0, enqueued: 0 };

  constructor(url: string, options: QueueRunnerOptions = {}) {
    const { options: redis, where } = redisOptions(url);
    this.where = where;
    this.opts = {
      rowsDir: options.rowsDir,
      queueName: options.queueName ?? DEFAULT_QUEUE,
      unreachableMs: options.unreachableMs ?? 30_000,
      pollMs: options.pollMs ?? 200,
    };
    // Commands wait (BullMQ's set-up needs the offline queue) while the client reconnects; the wait loop
    // times each round out and decides when Redis has been away too long.
    this.queue = new Queue(this.opts.queueName, { connection: redis, skipWaitingForReady: true });
    this.queue.on("error", (e: Error) => {
      this.lastConnectionError = e.message;
    });
  }

  private rowPath(id: string): string | undefined {
    return this.opts.rowsDir ? join(this.opts.rowsDir, `${id}.json`) : undefined;
  }

  private keep(id: string, outcome: RunOutcome): void {
    const path = this.rowPath(id);
    if (!path) return;
    mkdirSync(this.opts.rowsDir!, { recursive: true });
    writeWhole(path, JSON.stringify(outcome));
  }

  private kept(id: string): RunOutcome | undefined {
    const path = this.rowPath(id);
    if (!path || !existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, "utf8")) as RunOutcome;
    } catch {
      return undefined;
    }
  }

  async run(specs: readonly RunSpec[], onOutcome?: (index: number, outcome: RunOutcome) => void): Promise<RunOutcome[]> {
    const counts: QueueRunCounts = { kept: 0, reused: 0, enqueued: 0 };
    this.counts = counts;
    const ids = specs.map(jobId);
    const outcomes: (RunOutcome | undefined)[] = ids.map((id) => this.kept(id));
    const finish = (i: number, outcome: RunOutcome) => {
      outcomes[i] = outcome;
      this.keep(ids[i], outcome);
      onOutcome?.(i, outcome);
    };
    outcomes.forEach((o, i) => {
      if (!o) return;
      counts.kept++;
      onOutcome?.(i, o);
    });
    // Jobs this run added (a job found finished that this run did not add was reused).
    const added = new Set<number>();
    const retried = new Set<number>();
    const look = async (i: number) => {
      const job = await this.queue.getJob(ids[i]);
      if (!job) {
        // Never submitted, or lost with a Redis that kept no data: (re)submit it.
        await this.queue.add("run", specs[i], {
          jobId: ids[i],
          attempts: 3,
          backoff: { type: "fixed", delay: 500 },
          removeOnComplete: false,
          removeOnFail: false,
        });
        added.add(i);
      } else if (job.finishedOn !== undefined && job.failedReason === undefined && job.returnvalue !== null && job.returnvalue !== undefined) {
        if (!added.has(i)) counts.reused++;
        finish(i, job.returnvalue as RunOutcome);
      } else if (job.finishedOn !== undefined && job.failedReason !== undefined) {
        if (!added.has(i) && !retried.has(i)) {
          // A failure left by an earlier submission (a worker without the file, say): try once more.
          retried.add(i);
          added.add(i);
          await (job as Job).retry("failed");
        } else finish(i, { error: failureOf(job.failedReason) });
      }
    };
    let lastOk = Date.now();
    let round: Promise<unknown> | undefined;
    for (;;) {
      const pending = outcomes.flatMap((o, i) => (o ? [] : [i]));
      if (pending.length === 0) return outcomes as RunOutcome[];
      // One round of look-ups at a time: while Redis is away its commands wait; none pile up behind it.
      round ??= Promise.all(pending.map(look)).then(
        () => {
          lastOk = Date.now();
          round = undefined;
        },
        (e: Error) => {
          this.lastConnectionError = e.message;
          round = undefined;
        },
      );
      await Promise.race([round, sleep(this.opts.pollMs)]);
      counts.enqueued = added.size;
      if (Date.now() - lastOk > this.opts.unreachableMs) {
        const finished = outcomes.filter(Boolean).length;
        const keptAt = this.opts.rowsDir ? `kept in ${this.opts.rowsDir}` : "not kept (no rows directory)";
        const why = this.lastConnectionError ?? "no reply";
        throw new FerrobtError(
          "ERR_QUEUE",
          `Redis at ${this.where} unreachable for ${Math.round((Date.now() - lastOk) / 1000)} s (${why}): ${finished} of ${specs.length} rows finished, ${keptAt}; run the sweep again to resume`,
        );
      }
      if (round === undefined) await sleep(this.opts.pollMs);
    }
  }

  async close(): Promise<void> {
    // A Redis that is away would make a graceful close wait for it.
    await this.queue.disconnect().catch(() => undefined);
  }
}

/** A worker's failure text back as a row error ("[CODE] message" when the worker sent a code). */
function failureOf(reason: string): { code: string; message: string } {
  const m = /^\[(ERR_[A-Z_]+)\] ([\s\S]*)$/.exec(reason);
  return m ? { code: m[1], message: m[2] } : { code: "ERR_QUEUE", message: reason };
}

/** How a worker takes jobs. */
export interface QueueWorkerOptions {
  queueName?: string;
  /** Jobs run at once, each on its own thread (default 1). */
  concurrency?: number;
  /** A job whose worker died is taken again after about this long (lock ms; default 5 000). */
  lockMs?: number;
  /** How often stalled jobs are looked for (default 2 000 ms). */
  stalledIntervalMs?: number;
  /** Called per finished job (id, ms) or failure. */
  onJob?: (id: string, ms: number, error?: string) => void;
}

/** Checks a job's data is a run spec (a worker never runs anything but a strategy file on its own disk). */
function checkSpec(data: unknown): RunSpec {
  const d = data as Partial<RunSpec> | null;
  const ok =
    d !== null &&
    typeof d === "object" &&
    typeof d.strategyFile === "string" &&
    typeof d.strategyHash === "string" &&
    Array.isArray(d.data) &&
    d.data.every((p) => typeof p === "string") &&
    (typeof d.start === "string" || typeof d.start === "number") &&
    (typeof d.end === "string" || typeof d.end === "number") &&
    typeof d.parameters === "object" &&
    d.parameters !== null;
  if (!ok) throw new UnrecoverableError("[ERR_ARGUMENT] the job's data is not a ferrobt run spec");
  return d as RunSpec;
}

/**
 * A worker process's loop: takes jobs from the queue and runs each on a thread of its own pool, so
 * this thread stays free to renew job locks. Resolves when `stop()` is called and the active jobs end.
 */
export class QueueWorker {
  private readonly worker: Worker;
  private readonly pool: PoolRunner;

  constructor(url: string, options: QueueWorkerOptions = {}) {
    const { options: redis } = redisOptions(url);
    const concurrency = options.concurrency ?? 1;
    this.pool = new PoolRunner(concurrency);
    this.worker = new Worker(
      options.queueName ?? DEFAULT_QUEUE,
      async (job: Job) => {
        const spec = checkSpec(job.data);
        const began = performance.now();
        try {
          const [outcome] = await this.pool.run([spec]);
          options.onJob?.(job.id ?? "", performance.now() - began);
          return outcome;
        } catch (e) {
          const failure = runFailure(e);
          const text = `[${failure.code}] ${failure.message}`;
          options.onJob?.(job.id ?? "", performance.now() - began, text);
          // A changed or missing strategy file, unreadable data: retrying cannot help.
          throw new UnrecoverableError(text);
        }
      },
      {
        connection: redis,
        concurrency,
        lockDuration: options.lockMs ?? 5_000,
        stalledInterval: options.stalledIntervalMs ?? 2_000,
        maxStalledCount: 5,
      },
    );
    this.worker.on("error", () => undefined);
  }

  /** Resolves once connected to Redis. */
  ready(): Promise<void> {
    return this.worker.waitUntilReady().then(() => undefined);
  }

  /** Stops taking jobs, lets the active ones finish, closes the pool and the connection. */
  async stop(): Promise<void> {
    await this.worker.close();
    await this.pool.close();
  }
}
