/**
 * A side output: a typed, named second output of an operator (late data, dead letters, alerts).
 * Tags are compared by id, so two tags with the same id are the same output.
 */
export class OutputTag<T> {
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (!id) throw new Error("an OutputTag needs a non-empty id");
  }
}

/** What the dead-letter output carries for each record that failed. */
export interface DeadLetter {
  /** uid of the operator (or source) where the record failed. */
  operatorUid: string;
  operatorName: string;
  /** Where the record came from, when known (file:line, split offset). */
  position?: string;
  /** The error message. */
  error: string;
  /** The record itself, or the raw text that could not be parsed. */
  record: unknown;
  timestamp?: number;
}

/** The job-wide dead-letter output; read it with `job.deadLetters()`. */
export const DEAD_LETTER = new OutputTag<DeadLetter>("eddy.dead-letter");
