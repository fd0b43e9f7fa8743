/**
 * The control endpoint a job process serves on loopback while `eddy run` runs it: health, and
 * savepoints on request (`eddy savepoint <job>` calls it). The process registers its port in
 * `.eddy/jobs/<job name>.json` so the command can find it; the file goes away when the job ends.
 * Bound to 127.0.0.1 only, so it needs no token.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { JobControl } from "@eddy/core";
import { isProcessAlive } from "@eddy/core/internal";
import { SavepointRequestError } from "./errors.ts";

export interface JobRegistration {
  readonly jobName: string;
  readonly pid: number;
  readonly port: number;
  readonly startedAt: string;
}

export function registrationPath(jobName: string, root = "."): string {
  return join(root, ".eddy", "jobs", `${jobName.replace(/[^\w.-]+/g, "_")}.json`);
}

export class ControlServer {
  private server: Server | undefined;
  private registration: string | undefined;

  constructor(private readonly control: JobControl) {}

  /** Starts serving once the job has started; resolves with the registration. */
  private closed = false;
  /** The registration being written, which close() waits for before removing it. */
  private writing: Promise<void> | undefined;

  async start(): Promise<JobRegistration | undefined> {
    await this.control.started();
    if (this.closed) return undefined;
    const server = createServer((request, response) => {
      void this.handle(request.method ?? "GET", new URL(request.url ?? "/", "http://localhost"), response);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const jobName = this.control.jobName ?? "job";
    const registration: JobRegistration = {
      jobName,
      pid: process.pid,
      port: (server.address() as AddressInfo).port,
      startedAt: new Date().toISOString(),
    };
    const path = registrationPath(jobName);
    // Written whole or not at all, and never after close(): a short job must not leave an empty
    // or stale registration behind.
    this.writing = (async () => {
      await mkdir(join(".eddy", "jobs"), { recursive: true });
      const other = await readRegistration(path);
      if (other !== undefined && other.pid !== process.pid && isProcessAlive(other.pid))
        throw new Error(
          `another run of job '${jobName}' (pid ${other.pid}) is registered in ${path}, so \`eddy savepoint ${jobName}\` reaches that one`,
        );
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(registration)}\n`);
      if (this.closed) await rm(temp, { force: true });
      else {
        await rename(temp, path);
        this.registration = path;
      }
    })();
    await this.writing;
    return this.closed ? undefined : registration;
  }

  private async handle(
    method: string,
    url: URL,
    response: import("node:http").ServerResponse,
  ): Promise<void> {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(`${JSON.stringify(body)}\n`);
    };
    try {
      if (method === "GET" && url.pathname === "/healthz")
        return reply(200, { status: "ok", running: this.control.isRunning });
      if (method === "POST" && (url.pathname === "/savepoint" || url.pathname === "/stop-with-savepoint")) {
        const dir = url.searchParams.get("dir") ?? undefined;
        const path =
          url.pathname === "/savepoint"
            ? await this.control.savepoint(dir)
            : await this.control.stopWithSavepoint(dir);
        return reply(200, { path });
      }
      reply(404, {
        error: `no ${method} ${url.pathname}: try GET /healthz, POST /savepoint, POST /stop-with-savepoint`,
      });
    } catch (error) {
      reply(409, { error: (error as Error).message });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writing?.catch(() => {});
    if (this.registration !== undefined) await rm(this.registration, { force: true });
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }
}

/** Asks the running job `jobName` (found through its registration) for a savepoint. */
export async function requestSavepoint(
  jobName: string,
  options: { stop?: boolean; dir?: string },
): Promise<string> {
  const registration = await readRegistration(registrationPath(jobName));
  if (registration === undefined)
    throw new SavepointRequestError(
      `no running job '${jobName}' here: ${registrationPath(jobName)} does not exist (start it with eddy run in this directory)`,
    );
  if (!isProcessAlive(registration.pid)) {
    await rm(registrationPath(jobName), { force: true });
    throw new SavepointRequestError(
      `no running job '${jobName}' here: the run registered in ${registrationPath(jobName)} (pid ${registration.pid}) ` +
        "is no longer running (it was killed); its registration is removed",
    );
  }
  const query = options.dir === undefined ? "" : `?dir=${encodeURIComponent(options.dir)}`;
  const path = options.stop ? "/stop-with-savepoint" : "/savepoint";
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${registration.port}${path}${query}`, { method: "POST" });
  } catch (error) {
    throw new SavepointRequestError(
      `job '${jobName}' (pid ${registration.pid}) does not answer on port ${registration.port}: ${(error as Error).message}`,
    );
  }
  const body = (await response.json()) as { path?: string; error?: string };
  if (!response.ok || body.path === undefined)
    throw new SavepointRequestError(`savepoint of '${jobName}' failed: ${body.error}`);
  return body.path;
}

async function readRegistration(path: string): Promise<JobRegistration | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as JobRegistration;
    return Number.isInteger(parsed?.pid) && Number.isInteger(parsed?.port) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
