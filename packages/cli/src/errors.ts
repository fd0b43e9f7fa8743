/**
 * Errors the CLI raises before a job runs. Each has a stable `code` and a message that says what
 * to change. All of them but SavepointRequestError (exit code 1) mean "the input is invalid" and
 * end the process with exit code 2. (A job file that cannot be loaded is core's JobModuleError,
 * raised by its job-module loader.)
 */
import { EddyError } from "@eddy/core";

/** The command line is wrong: an unknown command or flag, a missing or malformed value. */
export class UsageError extends EddyError {
  constructor(
    message: string,
    /** The synopsis of the command the user tried, printed after the message. */
    readonly usage?: string,
  ) {
    super("EDDY_USAGE", message);
  }
}

/** The `--config` file cannot be read, is not JSON, or is not a JSON object. */
export class ConfigFileError extends EddyError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("EDDY_CONFIG_FILE", `config file '${path}' (--config): ${message}`, options);
  }
}

/** The `--out` file of `eddy nexmark generate` cannot be created or written. */
export class OutputFileError extends EddyError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("EDDY_OUTPUT_FILE", `output file '${path}' (--out): ${message}`, options);
  }
}

/**
 * `eddy savepoint` could not get a savepoint: no job of that name runs here, it does not answer,
 * or it refused (checkpointing off, the checkpoint failed). The job itself runs on.
 */
export class SavepointRequestError extends EddyError {
  constructor(message: string) {
    super("EDDY_SAVEPOINT_REQUEST", message);
  }
}
