/**
 * Errors eddy raises. Each class has a stable `code` and a message that says what to change.
 * `retriable` tells a restart strategy whether running again can succeed.
 */
export class EddyError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options?.retriable ?? false;
  }
}

/** The job definition cannot run; raised before anything starts. */
export class JobDefinitionError extends EddyError {
  constructor(message: string) {
    super("EDDY_JOB_DEFINITION", message);
  }
}

/** A configuration value is invalid; names the key and the fix. */
export class ConfigError extends EddyError {
  readonly key: string;
  constructor(key: string, message: string) {
    super("EDDY_CONFIG", `configuration '${key}': ${message}`);
    this.key = key;
  }
}

/** A user function threw, or a record could not be processed, and the job is set to fail on errors. */
export class RecordProcessingError extends EddyError {
  readonly operatorUid: string;
  readonly record: unknown;
  constructor(operatorUid: string, operatorName: string, record: unknown, cause: unknown, position?: string) {
    super(
      "EDDY_RECORD_FAILED",
      `operator '${operatorName}' (uid '${operatorUid}') failed on record ${describeRecord(record)}` +
        (position ? ` at ${position}` : "") +
        `: ${errorMessage(cause)}. Route such records to the dead-letter output with ` +
        `job option errorHandling: "dead-letter" to keep the job running.`,
      { cause },
    );
    this.operatorUid = operatorUid;
    this.record = record;
  }
}

/** The job failed while running; wraps the first task failure. */
export class JobFailedError extends EddyError {
  constructor(message: string, cause?: unknown) {
    super("EDDY_JOB_FAILED", message, { cause });
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function describeRecord(record: unknown): string {
  let text: string;
  try {
    text = typeof record === "string" ? JSON.stringify(record) : (JSON.stringify(record) ?? String(record));
  } catch {
    text = String(record);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * A job module cannot be found or imported, does not export a Job or a factory of one, its factory
 * threw, or it builds a different plan each time it is imported (a worker thread got another one).
 */
export class JobModuleError extends EddyError {
  readonly modulePath: string;
  constructor(modulePath: string, message: string, options?: { cause?: unknown }) {
    super("EDDY_JOB_MODULE", `job module '${modulePath}': ${message}`, options);
    this.modulePath = modulePath;
  }
}

/**
 * A job names a keyed-state backend ("lmdb") that no imported package has registered in this
 * thread; raised when the job starts. The message says which package to install and import.
 */
export class StateBackendNotRegisteredError extends EddyError {
  readonly backend: string;
  constructor(backend: string, registered: readonly string[]) {
    const pkg = `@eddy/state-${backend}`;
    super(
      "EDDY_STATE_BACKEND_NOT_REGISTERED",
      `the job's stateBackend is "${backend}", but no "${backend}" backend is registered (registered: ` +
        `${registered.join(", ")}): install ${pkg} (npm install ${pkg}) and import it once before the ` +
        `job starts (import "${pkg}" in the job module; the eddy command does this for "lmdb"), or pass ` +
        `the backend's factory object as stateBackend`,
    );
    this.backend = backend;
  }
}

/**
 * The job's configuration or sources differ from those its latest checkpoint was taken with:
 * resuming would continue the old run (old positions, old settings) under a new name.
 */
export class ConfigurationChangedError extends EddyError {
  constructor(
    readonly checkpointId: number,
    readonly checkpointDir: string,
    readonly changes: readonly string[],
  ) {
    super(
      "EDDY_CONFIG_CHANGED",
      `the job's configuration differs from the one its checkpoint ${checkpointId} in ${checkpointDir} was taken with:\n` +
        `${changes.map((c) => `  ${c}`).join("\n")}\n` +
        "Resuming would continue that run, reading from its old positions. Run with --fresh to start over " +
        "with the new configuration, with --allow-config-change to resume with it anyway, or with another " +
        "--checkpoint-dir to keep both runs.",
    );
  }
}

/** Checkpoints exist but none reads back whole: the job does not start from nothing on its own. */
export class NoUsableCheckpointError extends EddyError {
  constructor(
    readonly checkpointDir: string,
    readonly problems: readonly string[],
  ) {
    super(
      "EDDY_CHECKPOINTS_CORRUPT",
      `no checkpoint in ${checkpointDir} can be restored, so the job does not resume (starting from nothing would ` +
        `repeat the output they committed):\n${problems.map((p) => `  ${p}`).join("\n")}\n` +
        'Run with --fresh (checkpointing restore: "none") to start over deliberately: the earlier output of the ' +
        "job's exactly-once sinks is then replaced.",
    );
  }
}

/** A directory the job needs (checkpoints, savepoints, state) is missing its conditions: checked at start. */
export class UnusableDirectoryError extends EddyError {
  constructor(
    readonly path: string,
    readonly role: string,
    reason: string,
    fix: string,
    options?: { cause?: unknown },
  ) {
    super("EDDY_DIRECTORY", `${role} ${path} cannot be used: ${reason}; ${fix}`, options);
  }
}

/** Another live process runs a job on the same checkpoint directory. */
export class CheckpointDirectoryLockedError extends EddyError {
  constructor(
    readonly checkpointDir: string,
    readonly holder: { readonly pid: number; readonly jobName?: string; readonly startedAt?: string },
  ) {
    super(
      "EDDY_CHECKPOINT_DIR_LOCKED",
      `checkpoint directory ${checkpointDir} is in use by another run of job '${holder.jobName ?? "?"}' ` +
        `(pid ${holder.pid}${holder.startedAt ? `, started ${holder.startedAt}` : ""}): two runs sharing it ` +
        "would interleave their checkpoints. Stop that run first, or give this one its own directory with " +
        "--checkpoint-dir.",
    );
  }
}

/** `--from-savepoint` names no savepoint. */
export class SavepointNotFoundError extends EddyError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      "EDDY_SAVEPOINT_NOT_FOUND",
      `savepoint ${path} (--from-savepoint) ${reason}: give the directory \`eddy savepoint\` printed ` +
        "(a savepoint-<id> directory holding _metadata)",
    );
  }
}

/** A transactional sink in a job that will never take a checkpoint to commit on. */
export class SinkNeedsCheckpointsError extends EddyError {
  constructor(readonly sinks: readonly string[]) {
    super(
      "EDDY_SINK_NEEDS_CHECKPOINTS",
      `the job is unbounded and its exactly-once ${sinks.length === 1 ? "sink" : "sinks"} ${sinks.map((s) => `'${s}'`).join(", ")} ` +
        `${sinks.length === 1 ? "commits" : "commit"} only on completed checkpoints, but checkpointing is off: nothing would ever be committed. ` +
        "Turn checkpointing on (eddy run --checkpoint-interval <ms>, or the checkpointing run option).",
    );
  }
}

/**
 * A configuration key given from outside (`--set`) that the job module does not declare (its
 * `export const config`); the message names the keys it takes.
 */
export class UnknownConfigKeyError extends EddyError {
  readonly keys: readonly string[];
  constructor(keys: readonly string[], message: string) {
    super("EDDY_CONFIG_UNKNOWN_KEY", message);
    this.keys = keys;
  }
}
