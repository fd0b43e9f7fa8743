/**
 * The error for partial matches restored into another pattern than the one that made them: their
 * NFA states mean something else in the new graph (nfa/fingerprint.ts tells the graphs apart).
 */
import { EddyError } from "@eddy/core";

/**
 * Fails the job in every error-handling mode (it is not a problem of one record: every restored
 * key would go wrong).
 */
export class PatternGraphChangedError extends EddyError {
  constructor(message: string) {
    super("EDDY_CEP_PATTERN_CHANGED", message);
  }
}
