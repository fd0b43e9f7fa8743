/**
 * The job-module contract and its one loader. A job module's default export is either a Job, or a
 * JobFactory that builds one from the context it is given (configuration from outside, and the
 * parallelism asked for):
 *
 *   export default (context: JobContext) => {
 *     const job = Job.create({ name: "sensor-averages" });
 *     ...
 *     return job;
 *   };
 *
 * Every worker thread of a parallel run imports the module again, with the same context, and must
 * get the same plan: so a job module builds its plan deterministically and does no other work at
 * import time. `eddy run` and `eddy plan` load a job file through `loadJobModule` too, so a
 * mistake reads the same wherever it is found: a JobModuleError naming the module and the fix.
 */
import { access } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Job } from "../../api/job.ts";
import { EddyError, JobModuleError } from "../../errors.ts";
import { applyDeclaredKeys, declaredConfigKeys, trackReads, unreadKeysWarning } from "./config-keys.ts";

export interface JobContext {
  /** Configuration from outside the job (file, environment, flags): plain JSON data. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The parallelism the job will run with, when given from outside (`--parallelism`). */
  readonly parallelism?: number;
}

export type JobFactory = (context: JobContext) => Job | Promise<Job>;

/** The shape of a job module's namespace. */
export interface JobModule {
  readonly default: Job | JobFactory;
  /** The configuration keys the job takes (see config-keys.ts); optional. */
  readonly config?: unknown;
}

/** What loading checks about the configuration given from outside, and what to import. */
export interface ConfigChecks {
  /** The module to import when it is not `pathOrUrl` itself (the job compiled to JavaScript); messages still name `pathOrUrl`. */
  readonly url?: string;
  /** Keys given with `--set`: unknown ones are errors (declared keys) or warned about (unread). */
  readonly setKeys?: readonly string[];
  /** Told the configuration the job was built with (declared defaults filled in). */
  readonly onConfig?: (config: Readonly<Record<string, unknown>>) => void;
  readonly warn?: (message: string) => void;
}

/** A module path (relative to the current directory) or URL as the URL to import. */
export function toModuleUrl(pathOrUrl: string): string {
  return /^(file|data|node):/.test(pathOrUrl) ? pathOrUrl : pathToFileURL(pathOrUrl).href;
}

/** Imports a job module and returns its job, built with `context` when the module is a factory. */
export async function loadJobModule(
  pathOrUrl: string,
  context: JobContext,
  checks?: ConfigChecks,
): Promise<Job> {
  const url = checks?.url ?? toModuleUrl(pathOrUrl);
  if (url.startsWith("file:")) {
    try {
      await access(new URL(url));
    } catch {
      throw new JobModuleError(pathOrUrl, `no such file (looked for ${fileURLToPath(url)}): check the path`);
    }
  }
  let namespace: Partial<JobModule>;
  try {
    namespace = await import(url);
  } catch (error) {
    // The module itself built an invalid job at import time: that error already says what to fix.
    if (error instanceof EddyError) throw error;
    throw new JobModuleError(pathOrUrl, `cannot be imported: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  return jobFromModule(pathOrUrl, namespace, context, checks);
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
  const config = keys === undefined ? context.config : applyDeclaredKeys(keys, context.config, setKeys);
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
    const job = await buildWithFactory(path, exported as JobFactory, { ...context, config: tracked.config });
    warnUnread();
    return job;
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

async function buildWithFactory(path: string, factory: JobFactory, context: JobContext): Promise<Job> {
  let built: unknown;
  try {
    built = await factory(Object.freeze({ ...context }));
  } catch (error) {
    // A factory's own EddyError (a ConfigError naming the key) already says what to fix.
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

/** A fingerprint of the plan's shape, to check that every thread built the same job. */
export function planFingerprint(job: Job): string {
  return job.nodes.map((n) => `${n.id}:${n.spec.kind}:${n.uid}:${n.parallelism ?? "-"}`).join("|");
}

/** Fails when a job built from the module again (in a worker thread) is not the coordinator's. */
export function checkSamePlan(path: string, job: Job, fingerprint: string): void {
  if (planFingerprint(job) !== fingerprint)
    throw new JobModuleError(
      path,
      "built a different plan in a worker thread than in the coordinating thread: a job module must " +
        "build its plan deterministically from its configuration (no randomness, clock or I/O at import time)",
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
