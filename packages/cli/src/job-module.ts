/**
 * The job-module contract: what `eddy run <file>` expects a file to be. A job module's default
 * export is either a Job, or a JobFactory that builds one from the context it is given
 * (configuration from outside, and the parallelism asked for on the command line):
 *
 *   export default (context: JobContext) => {
 *     const job = Job.create({ name: "sensor-averages" });
 *     ...
 *     return job;
 *   };
 *
 * Every worker thread of a parallel run imports the module again and must build the same plan,
 * so a module builds its plan deterministically from its context and does no other work at
 * import time. `loadJob` follows the contract as core's `loadJobModule` (which worker threads use)
 * does, and adds the checks and messages a person at a command line needs: a missing file, a
 * factory that threw or returned something else.
 */
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EddyError, Job } from "@eddy/core";
import { applyDeclaredKeys, declaredConfigKeys, trackReads, unreadKeysWarning } from "./config-keys.ts";
import { JobModuleError } from "./errors.ts";
import type { JobConfig } from "./job-config.ts";

export interface JobContext {
  /** Configuration from outside the job (file, environment, flags): plain JSON data. */
  readonly config: Readonly<JobConfig>;
  /** The parallelism the job will run with, when it was given from outside (`--parallelism`). */
  readonly parallelism?: number;
}

export type JobFactory = (context: JobContext) => Job | Promise<Job>;

/** The shape of a job module's namespace. */
export interface JobModule {
  readonly default: Job | JobFactory;
  /** The configuration keys the job takes (see config-keys.ts); optional. */
  readonly config?: unknown;
}

/** What loading checks about the configuration given on the command line. */
export interface ConfigChecks {
  /** Keys given with `--set`: unknown ones are errors (declared keys) or warned about (unread). */
  readonly setKeys: readonly string[];
  /** Told the configuration the job was built with (declared defaults filled in). */
  readonly onConfig?: (config: JobConfig) => void;
  readonly warn?: (message: string) => void;
}

/** A module path (relative to the current directory) or URL as the URL to import. */
export function jobModuleUrl(path: string): string {
  return /^(file|data):/.test(path) ? path : pathToFileURL(resolve(path)).href;
}

/** Imports a job module and returns its job, built with `context` when the module is a factory. */
export async function loadJob(path: string, context: JobContext, checks?: ConfigChecks): Promise<Job> {
  const url = jobModuleUrl(path);
  if (url.startsWith("file:")) {
    try {
      await access(new URL(url));
    } catch {
      throw new JobModuleError(path, `no such file (looked for ${resolve(path)}): check the path`);
    }
  }
  let namespace: Partial<JobModule>;
  try {
    namespace = await import(url);
  } catch (error) {
    // The module itself built an invalid job at import time: that error already says what to fix.
    if (error instanceof EddyError) throw error;
    throw new JobModuleError(path, `cannot be imported: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  return jobFromModule(path, namespace, context, checks);
}

/** Checks a module namespace against the contract and builds its job. */
export async function jobFromModule(
  path: string,
  namespace: Partial<JobModule>,
  context: JobContext,
  checks?: ConfigChecks,
): Promise<Job> {
  const exported: unknown = namespace.default;
  const setKeys = checks?.setKeys ?? [];
  const keys = declaredConfigKeys(path, namespace.config);
  let config: Readonly<JobConfig> = context.config;
  if (keys !== undefined) config = applyDeclaredKeys(keys, context.config, setKeys);
  checks?.onConfig?.(config);
  // Without declared keys, the reads of the factory tell which --set keys meant nothing to it.
  const tracked = trackReads(Object.freeze({ ...config }));
  const warnUnread = () => {
    const warning = keys === undefined ? unreadKeysWarning(setKeys, tracked.read) : undefined;
    if (warning !== undefined) checks?.warn?.(warning);
  };
  if (exported instanceof Job) {
    warnUnread();
    return exported;
  }
  if (typeof exported === "function") {
    let built: unknown;
    try {
      built = await (exported as JobFactory)(Object.freeze({ ...context, config: tracked.config }));
      warnUnread();
    } catch (error) {
      if (error instanceof EddyError) throw error;
      throw new JobModuleError(
        path,
        `its default export (the job factory) threw: ${(error as Error)?.message}`,
        {
          cause: error,
        },
      );
    }
    if (built instanceof Job) return built;
    throw new JobModuleError(
      path,
      `its default export is a function, so it must return a Job, but it returned ${describe(built)}` +
        `${looksLikeJob(built) ? SECOND_COPY : ": end the factory with `return job`"}`,
    );
  }
  if (exported === undefined)
    throw new JobModuleError(
      path,
      "has no default export: end it with `export default job` (a Job) or " +
        "`export default (context) => job` (a function building the Job from context.config)",
    );
  throw new JobModuleError(
    path,
    `its default export is ${describe(exported)}, but must be a Job or a function (context) => Job` +
      `${looksLikeJob(exported) ? SECOND_COPY : ""}`,
  );
}

const SECOND_COPY =
  ": it looks like a Job from another copy of @eddy/core; make the job module and eddy use the same installation";

function looksLikeJob(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { nodes?: unknown }).nodes) &&
    typeof (value as { options?: { name?: unknown } }).options?.name === "string"
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no prototype"})`;
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}
