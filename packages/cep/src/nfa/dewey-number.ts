/**
 * Dewey numbers (FlinkCEP's DeweyNumber): the version of a branch of partial matches, as a list
 * of integers. A branch that takes an event adds a digit; sibling branches increase the last one.
 * An edge of the shared buffer carries the version of the branch that made it, and a partial
 * match reads its events back along the edges whose versions are compatible with its own.
 */

/** `version` with its last digit increased by `by` (a new array). */
export function increase(version: readonly number[], by: number): number[] {
  const next = version.slice();
  next[next.length - 1] += by;
  return next;
}

/** Adds a digit 0: the version of the stage after the one `version` took an event into (in place). */
export function addStage(version: number[]): number[] {
  version.push(0);
  return version;
}

/** FlinkCEP's DeweyNumber.isCompatibleWith: `a` descends from (or is a later sibling of) `b`. */
export function isCompatible(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) {
    for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a.length === b.length) {
    const last = a.length - 1;
    for (let i = 0; i < last; i++) if (a[i] !== b[i]) return false;
    return a[last] >= b[last];
  }
  return false;
}
