/**
 * `eddy nexmark generate` as a function: writes a slice of the Nexmark stream as NDJSON to a file
 * or to the given output. The generator lives in @eddy/nexmark; this adds the file handling.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { type NdjsonOutput, writeNexmarkNdjson } from "@eddy/nexmark";
import type { NexmarkGenerateArguments } from "./command-line.ts";
import { OutputFileError } from "./errors.ts";

const FILE_ERROR_HINTS: Record<string, string> = {
  ENOENT: "create its directory first, or pick another path",
  EACCES: "pick a path you may write to",
  EISDIR: "that is a directory: name a file in it",
  ENOSPC: "the disk is full",
};

export interface GenerateNexmarkResult {
  readonly events: number;
  /** The file written, or undefined for the given output. */
  readonly out: string | undefined;
  readonly durationMs: number;
}

/** Writes the events to `args.out` (created or truncated), or to `stdout` when there is no file. */
export async function generateNexmark(
  args: NexmarkGenerateArguments,
  stdout: NdjsonOutput,
): Promise<GenerateNexmarkResult> {
  const t0 = performance.now();
  const options = { events: args.events, seed: args.seed, profile: args.profile, from: args.from };
  if (args.out === undefined) await writeNexmarkNdjson(options, stdout);
  else {
    const path = args.out;
    const file = createWriteStream(path);
    const fail = (error: unknown): never => {
      file.destroy();
      const { code, message } = error as NodeJS.ErrnoException;
      const hint = code === undefined ? undefined : FILE_ERROR_HINTS[code];
      throw new OutputFileError(path, hint === undefined ? message : `${message} (${hint})`, {
        cause: error,
      });
    };
    // Opening fails here (a missing directory, no permission) before anything is generated.
    await once(file, "open").catch(fail);
    try {
      await writeNexmarkNdjson(options, file);
      file.end();
      await once(file, "finish");
    } catch (error) {
      fail(error);
    }
  }
  return { events: args.events, out: args.out, durationMs: performance.now() - t0 };
}
