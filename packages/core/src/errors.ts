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
