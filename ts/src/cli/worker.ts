// `ferrobt worker --queue redis://HOST:PORT`: takes sweep jobs from Redis and runs them on this machine's
// threads, until SIGINT/SIGTERM (active jobs finish first) or a second signal.

import { parseArgs } from "node:util";
import { FerrobtError } from "../errors.js";
import { QueueWorker } from "../research/queue.js";
import { positiveInt } from "./inputs.js";

export async function runWorkerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      queue: { type: "string" },
      "queue-name": { type: "string" },
      concurrency: { type: "string", default: "1" },
      quiet: { type: "boolean", default: false },
    },
  });
  if (positionals.length > 0) throw new FerrobtError("ERR_ARGUMENT", `worker takes no positional argument (got ${positionals.join(" ")})`);
  if (typeof values.queue !== "string") throw new FerrobtError("ERR_ARGUMENT", "worker needs --queue redis://HOST:PORT");
  const concurrency = positiveInt("concurrency", values.concurrency)!;
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const worker = new QueueWorker(values.queue, {
    queueName: values["queue-name"],
    concurrency,
    onJob: (id, ms, error) => log(`${id} ${error ? `failed: ${error}` : `done in ${ms.toFixed(0)} ms`}`),
  });
  await worker.ready();
  log(`ferrobt worker: ${concurrency} thread(s) taking jobs (pid ${process.pid})`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      log("ferrobt worker: stopping after the active jobs");
      worker.stop().then(resolve, resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
