/**
 * A job module is a file whose default export is a Job, or a function that builds one from the
 * configuration it is given. Every worker thread imports the same module, with the same
 * configuration, and must get the same plan: so a job module builds its plan deterministically
 * and does no other work at import time.
 */
import { pathToFileURL } from "node:url";
import { Job } from "../../api/job.ts";
import { ConfigError, JobDefinitionError } from "../../errors.ts";

export interface JobContext {
  /** Configuration from outside the job (file, flags, environment): plain JSON data. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The parallelism the job will run with, when given from outside. */
  readonly parallelism?: number;
}

export type JobFactory = (context: JobContext) => Job | Promise<Job>;

/** A path or file: URL to a module URL. */
export function toModuleUrl(pathOrUrl: string): string {
  return /^(file|data|node):/.test(pathOrUrl) ? pathOrUrl : pathToFileURL(pathOrUrl).href;
}

export async function loadJobModule(pathOrUrl: string, context: JobContext): Promise<Job> {
  const url = toModuleUrl(pathOrUrl);
  let module: { default?: unknown };
  try {
    module = await import(url);
  } catch (error) {
    throw new ConfigError("job", `cannot load job module ${pathOrUrl}: ${(error as Error).message}`);
  }
  const exported = module.default;
  let job: unknown = exported;
  if (typeof exported === "function" && !(exported instanceof Job))
    job = await (exported as JobFactory)(context);
  if (!(job instanceof Job))
    throw new JobDefinitionError(
      `${pathOrUrl} must export default a Job (Job.create(...)) or a function (context) => Job; ` +
        `its default export is ${exported === undefined ? "missing" : typeof exported}`,
    );
  return job;
}

/** A fingerprint of the plan's shape, to check that every thread built the same job. */
export function planFingerprint(job: Job): string {
  return job.nodes.map((n) => `${n.id}:${n.spec.kind}:${n.uid}:${n.parallelism ?? "-"}`).join("|");
}
