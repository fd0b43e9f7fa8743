/**
 * A job file as `eddy run` and `eddy plan` are given it: the module's path, where its
 * configuration comes from, and the parallelism asked for. `openJobFile` resolves the
 * configuration, builds the job with core's job-module loader (`loadJobModule`, whose
 * JobModuleError says what is wrong with the file), and checks the parallelism against the job
 * before anything runs.
 */
import { type Job, type JobContext, loadJobModule } from "@eddy/core";
import { toModuleUrl } from "@eddy/core/internal";
import { compileJobModule } from "./compile-job.ts";
import { UsageError } from "./errors.ts";
import { type JobConfig, resolveJobConfig } from "./job-config.ts";

export interface JobFileOptions {
  /** Path of the job module (relative to the current directory) or a file: URL. */
  readonly job: string;
  /** Default parallelism of the job's operators; the job's own when absent. */
  readonly parallelism?: number;
  /** A JSON file with the configuration. */
  readonly configFile?: string;
  /** Configuration values that win over the file and the environment. */
  readonly overrides?: JobConfig;
  /** Where `EDDY_CONFIG_*` variables are read; process.env when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface OpenedJobFile {
  readonly job: Job;
  readonly moduleUrl: string;
  /** The context the job was built with (declared defaults filled in); workers get the same. */
  readonly context: JobContext;
  /** Warnings about the configuration (--set keys the job never read). */
  readonly warnings: readonly string[];
}

export async function openJobFile(options: JobFileOptions): Promise<OpenedJobFile> {
  const config = await resolveJobConfig({
    file: options.configFile,
    env: options.env ?? process.env,
    overrides: options.overrides,
  });
  const given: JobContext =
    options.parallelism === undefined ? { config } : { config, parallelism: options.parallelism };
  const moduleUrl = COMPILE_TYPESCRIPT
    ? await compileJobModule(options.job, toModuleUrl(options.job))
    : toModuleUrl(options.job);
  const warnings: string[] = [];
  let effective: JobContext["config"] = config;
  const job = await loadJobModule(options.job, given, {
    url: moduleUrl,
    setKeys: Object.keys(options.overrides ?? {}),
    onConfig: (c) => {
      effective = c;
    },
    warn: (message) => warnings.push(message),
  });
  const context: JobContext = { ...given, config: effective };
  const max = job.options.maxParallelism;
  if (options.parallelism !== undefined && options.parallelism > max)
    throw new UsageError(
      `--parallelism ${options.parallelism} exceeds job '${job.name}'s maxParallelism ${max}: ` +
        `use at most ${max}, or raise maxParallelism in Job.create`,
    );
  return { job, moduleUrl, context, warnings };
}

/**
 * The built CLI compiles a TypeScript job once, for this thread and the workers (compile-job.ts).
 * Run from its sources (the eddy repository), tsx is registered in every thread and loads it.
 */
const COMPILE_TYPESCRIPT = !import.meta.url.endsWith(".ts");
