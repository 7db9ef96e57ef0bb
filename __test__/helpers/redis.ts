// A real Redis for the queue tests: Debian's redis-server on 127.0.0.1 on a free port, in a temp dir,
// without persistence (a restart loses every job, the hardest case for a sweep). Installed by
// scripts/setup-system.sh; a test without it is skipped with the reason, except in CI.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { IN_CI, tempDir } from "./fixtures.js";

export const REDIS_SERVER = "/usr/bin/redis-server";

/** Skips the test (or fails it in CI) when redis-server is not installed. */
export function requireRedis(skip: (note: string) => never): void {
  if (spawnSync(REDIS_SERVER, ["--version"]).status === 0) return;
  const why = `${REDIS_SERVER} is missing (install it with: bash scripts/setup-system.sh)`;
  if (IN_CI) throw new Error(`${why}; CI runs every test`);
  skip(`skipped: ${why}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A redis-server process; `stop` and `start` again keep its port (a restart). */
export class RedisProcess {
  private proc: ChildProcess | undefined;
  private readonly dir = tempDir("ferrobt-redis-");

  private constructor(
    readonly port: number,
    private readonly extra: string[],
  ) {}

  static async start(extra: string[] = []): Promise<RedisProcess> {
    const r = new RedisProcess(await freePort(), extra);
    await r.start();
    return r;
  }

  /**
   * A server that speaks only TLS, with a certificate for 127.0.0.1 signed by a CA made here (openssl);
   * `ca` is the CA's certificate for clients to trust (NODE_EXTRA_CA_CERTS).
   */
  static async startTls(): Promise<RedisProcess & { ca: string }> {
    const port = await freePort();
    const r = new RedisProcess(port, []);
    const d = r.dir;
    const ssl = (args: string[]) => {
      const res = spawnSync("openssl", args, { cwd: d, encoding: "utf8" });
      if (res.status !== 0) throw new Error(`openssl ${args[0]} failed: ${res.stderr}`);
    };
    ssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=ferrobt test CA"]);
    ssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    writeFileSync(join(d, "ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    ssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.crt",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    ]);
    const files = ["--tls-cert-file", "server.crt", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no"];
    r.extra.push(...files);
    r.tls = true;
    await r.start();
    return Object.assign(r, { ca: join(d, "ca.crt") });
  }

  private tls = false;

  get url(): string {
    return `${this.tls ? "rediss" : "redis"}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const ports = this.tls ? ["--port", "0", "--tls-port", String(this.port)] : ["--port", String(this.port)];
    const proc = spawn(REDIS_SERVER, [...ports, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, ...this.extra], {
      cwd: this.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${seen}`)), 10_000);
      proc.stdout!.on("data", (d: Buffer) => {
        seen += d.toString();
        if (seen.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${seen}`));
      });
    });
    proc.removeAllListeners("exit");
  }

  /** A graceful restart on the same port: SIGTERM (Redis saves what it persists), then start again. */
  async restart(): Promise<void> {
    const proc = this.proc!;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
    await this.start();
  }

  /** Stops the server (SIGKILL: nothing saved, connections drop at once). */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
    this.proc = undefined;
  }
}
