/**
 * The OperatorContext: everything an operator reaches around it (its identity in the job, its
 * output and metrics, processing time, keyed state and timer services created on first use, and
 * what a failing record does). Built here once, for the runtime's deployment of a task and for the
 * operator harnesses of @eddy/testing, so an operator under test meets the same context as in a job.
 */
import { DEAD_LETTER, type DeadLetter } from "../../api/output-tag.ts";
import { errorMessage, RecordProcessingError } from "../../errors.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import type { OperatorContext } from "../operators/operator.ts";
import { InternalTimerService } from "../operators/timer-service.ts";
import type { OperatorStateHolder } from "./operator-state.ts";

/** The context's own parts: identity, output, metrics, clocks; keyed state and timers follow. */
export interface OperatorContextParts
  extends Omit<OperatorContext, "keyedBackend" | "timerService" | "recordFailed"> {
  /** Where the keyed backend and the timer services are registered (snapshotted, restored). */
  readonly state: OperatorStateHolder;
  /**
   * Builds the keyed backend when the operator first asks for it; undefined for an operator on a
   * stream that is not keyed (asking then fails with what to fix).
   */
  readonly createKeyedBackend: (() => KeyedStateBackend) | undefined;
}

export function createOperatorContext(parts: OperatorContextParts): OperatorContext {
  const { state, createKeyedBackend, ...own } = parts;
  const { uid, name, errorHandling, output, metrics, processingTime } = own;
  const keyedBackend = (): KeyedStateBackend => {
    if (createKeyedBackend === undefined)
      throw new RecordProcessingError(uid, name, undefined, "keyed state needs keyBy() before it");
    if (state.backend === undefined) state.attachBackend(createKeyedBackend());
    return state.backend!;
  };
  return {
    ...own,
    keyedBackend,
    timerService: (triggerable) => {
      const service = new InternalTimerService(keyedBackend(), triggerable, processingTime);
      state.attachTimerService(service);
      return service;
    },
    // Count it, then fail the task or hand a dead letter (with the reason) to the dead-letter output.
    recordFailed: (error, record, timestamp, position) => {
      metrics.recordsFailed++;
      if (errorHandling === "fail") throw new RecordProcessingError(uid, name, record, error, position);
      const letter: DeadLetter = {
        operatorUid: uid,
        operatorName: name,
        error: errorMessage(error),
        record,
        ...(position === undefined ? {} : { position }),
        ...(Number.isFinite(timestamp) ? { timestamp } : {}),
      };
      output.collectSide(DEAD_LETTER.id, letter, timestamp);
    },
  };
}
