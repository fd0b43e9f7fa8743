/**
 * The `eddy` command: parses the command line, calls the programmatic API (runJobFile,
 * planJobFile), and maps the outcome to output and an exit code:
 *   0  done (a job that finished, or was stopped by SIGINT/SIGTERM)
 *   1  the job failed while running
 *   2  invalid command line, configuration, job module or job definition
 * The first SIGINT or SIGTERM stops the job cleanly; a second one exits at once (130 / 143).
 */
import { readFileSync } from "node:fs";
import { EddyError, JobControl } from "@eddy/core";
import { type Command, parseCommandLine } from "./command-line.ts";
import { ControlServer, requestSavepoint } from "./control-server.ts";
import { UsageError } from "./errors.ts";
import { generateNexmark } from "./generate-nexmark.ts";
import { planJobFile } from "./plan-job-file.ts";
import { ProgressReporter, type ProgressStreams, progressModeFor } from "./progress-reporter.ts";
import { runJobFile } from "./run-job-file.ts";

export interface CliIo extends ProgressStreams {
  readonly stdout: NonNullable<ProgressStreams["stdout"]>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
  onStopSignal(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void;
  /** Ends the process now (a second interrupt). */
  exit(code: number): never;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onStopSignal(handler) {
      process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
      };
    },
    exit: (code) => process.exit(code),
  };
}

/** Error codes that mean "the input is invalid" (exit 2) rather than "the job failed" (exit 1). */
const INPUT_ERROR_CODES = new Set([
  "EDDY_USAGE",
  "EDDY_JOB_MODULE",
  "EDDY_CONFIG_FILE",
  "EDDY_CONFIG",
  "EDDY_CONFIG_UNKNOWN_KEY",
  "EDDY_JOB_DEFINITION",
  "EDDY_OUTPUT_FILE",
  // A run that cannot start as asked: nothing ran, the command line must change.
  "EDDY_CONFIG_CHANGED",
  "EDDY_DIRECTORY",
  "EDDY_CHECKPOINT_DIR_LOCKED",
  "EDDY_SAVEPOINT_NOT_FOUND",
  "EDDY_SINK_NEEDS_CHECKPOINTS",
]);

export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof EddyError && INPUT_ERROR_CODES.has(error.code) ? 2 : 1;
}

/** Runs `eddy <argv>` and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let command: Command | undefined;
  try {
    command = parseCommandLine(argv);
    switch (command.kind) {
      case "help":
        io.stdout.write(`${command.text}\n`);
        return 0;
      case "version":
        io.stdout.write(`eddy ${version()}\n`);
        return 0;
      case "plan":
        io.stdout.write(await planJobFile({ ...command, env: io.env }));
        return 0;
      case "run":
        return await run(command, io);
      case "savepoint":
        return await savepoint(command, io);
      case "nexmark-generate":
        return await nexmarkGenerate(command, io);
    }
  } catch (error) {
    return reportError(error, io, command?.kind);
  }
}

async function run(command: Extract<Command, { kind: "run" }>, io: CliIo): Promise<number> {
  const reporter = new ProgressReporter(progressModeFor(io, command.quiet), io);
  const controller = new AbortController();
  const control = new JobControl();
  let stopping = false;
  const dispose = io.onStopSignal((signal) => {
    if (stopping || controller.signal.aborted) io.exit(signal === "SIGINT" ? 130 : 143);
    stopping = true;
    // SIGTERM (a platform stopping the service) stops with a savepoint when the job checkpoints,
    // so the next start resumes from it; Ctrl-C just stops.
    if (signal === "SIGTERM" && command.checkpoints !== undefined && control.isRunning) {
      reporter.note("[eddy] SIGTERM: stopping the job with a savepoint (a second signal exits at once)");
      control.stopWithSavepoint().then(
        (path) => reporter.note(`[eddy] savepoint written to ${path}`),
        (error: unknown) => {
          reporter.note(`[eddy] savepoint failed (${(error as Error).message}); stopping without one`);
          controller.abort();
        },
      );
      return;
    }
    reporter.note(
      `[eddy] ${signal}: stopping the job (${signal === "SIGINT" ? "Ctrl-C" : "signal"} again exits at once)`,
    );
    controller.abort();
  });
  const server = new ControlServer(control);
  void server
    .start()
    .catch((error: unknown) => reporter.note(`[eddy] no control endpoint: ${(error as Error).message}`));
  try {
    await runJobFile({ ...command, env: io.env, signal: controller.signal, reporter, control });
    return 0;
  } finally {
    dispose();
    await server.close();
  }
}

async function savepoint(command: Extract<Command, { kind: "savepoint" }>, io: CliIo): Promise<number> {
  const path = await requestSavepoint(command.jobName, { stop: command.stop, dir: command.dir });
  io.stdout.write(`${path}\n`);
  return 0;
}

async function nexmarkGenerate(
  command: Extract<Command, { kind: "nexmark-generate" }>,
  io: CliIo,
): Promise<number> {
  const result = await generateNexmark(command, io.stdout);
  // With --out, stdout is free: a line says what was written (stdout carries the events otherwise).
  if (result.out !== undefined)
    io.stderr.write(
      `[eddy] wrote ${result.events.toLocaleString("en-US")} Nexmark events (seed ${command.seed}, ` +
        `${command.profile}, from event ${command.from}) to ${result.out} in ${(result.durationMs / 1000).toFixed(2)} s\n`,
    );
  return 0;
}

function reportError(error: unknown, io: CliIo, command?: Command["kind"]): number {
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
  // Only a job that ran and failed is "job failed"; `eddy savepoint` says what failed itself.
  io.stderr.write(`eddy: ${code === 1 && command === "run" ? "job failed: " : ""}${message}\n`);
  if (error instanceof UsageError && error.usage !== undefined) io.stderr.write(`\n${error.usage}\n`);
  if (io.env.EDDY_DEBUG === "1") io.stderr.write(`\n${debugText(error)}\n`);
  else if (code === 1) io.stderr.write("(set EDDY_DEBUG=1 for the stack trace)\n");
  return code;
}

/** The stack of the error and of each of its causes. */
function debugText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 10; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
    e = e instanceof Error ? e.cause : undefined;
    if (e !== undefined) parts.push("caused by:");
  }
  return parts.join("\n");
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
