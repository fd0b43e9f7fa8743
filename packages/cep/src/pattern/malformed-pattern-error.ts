/**
 * The error for a pattern that cannot work, raised while it is built or compiled, with what to
 * change in its message.
 */
export class MalformedPatternError extends Error {
  override name = "MalformedPatternError";
}
