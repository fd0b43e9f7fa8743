/**
 * @eddy/cli: the `eddy` command and the functions behind it, for running and planning job
 * modules from code (the command is a thin parser over these).
 */
export { type CliIo, exitCodeFor, main, processIo } from "./cli.ts";
export {
  type Command,
  type JobArguments,
  type NexmarkGenerateArguments,
  type PlanFormat,
  parseCommandLine,
} from "./command-line.ts";
export { ConfigFileError, OutputFileError, UsageError } from "./errors.ts";
export { type ExecuteOptions, execute } from "./execute.ts";
export { type GenerateNexmarkResult, generateNexmark } from "./generate-nexmark.ts";
export {
  CONFIG_ENV_PREFIX,
  configFromEnv,
  envNameToKey,
  type JobConfig,
  type JobConfigSources,
  parseConfigValue,
  readConfigFile,
  resolveJobConfig,
} from "./job-config.ts";
export { type JobFileOptions, type OpenedJobFile, openJobFile } from "./job-file.ts";
export { type PlanJobFileOptions, planJobFile } from "./plan-job-file.ts";
export {
  type ProgressMode,
  ProgressReporter,
  type ProgressStreams,
  progressModeFor,
} from "./progress-reporter.ts";
export {
  type JobSummary,
  type ProgressTotals,
  progressTotals,
  renderProgressBlock,
  renderProgressLine,
  renderSummary,
} from "./progress-view.ts";
export { type RunJobFileOptions, runJobFile } from "./run-job-file.ts";
