import { EddyError } from "@eddy/core";

/**
 * Restored partial matches belong to another pattern. Fails the job in every error-handling mode
 * (it is not a problem of one record: every restored key would go wrong).
 */
export class PatternGraphChangedError extends EddyError {
  constructor(message: string) {
    super("EDDY_CEP_PATTERN_CHANGED", message);
  }
}
