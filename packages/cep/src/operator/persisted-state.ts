/**
 * What the CEP operator keeps in keyed state, and the format it is kept in. Two value states per
 * key:
 *
 * - "cep.nfa": the key's match state: its partial matches, the completed matches a skip strategy
 *   holds back, the shared-buffer nodes they reach, the event and partial-match counters, and the
 *   fingerprint of the NFA they belong to (nfa/computation-state.ts, KeyNfaState);
 * - "cep.buffer": the events waiting for the watermark (event-buffer.ts).
 *
 * Only the model is persisted. The timeout timer registered for a key follows from its partial
 * matches (the earliest window end), and which keys the gauges count is the subtask's own
 * (cep-metrics.ts). Each value carries its format; format 2 is written, and every earlier format
 * is read through a migration in migrations/, so that old checkpoints and savepoints restore
 * (test/golden holds savepoints of each format).
 */
import { EddyError } from "@eddy/core";
import type { KeyNfaState } from "../nfa/computation-state.ts";
import type { EventBuffer } from "./event-buffer.ts";
import { eventBufferFromFormat1, isFormat1, nfaStateFromFormat1 } from "./migrations/format-1.ts";

/** The format this version writes. */
export const STATE_FORMAT = 2;

export interface StoredNfaState extends KeyNfaState {
  readonly format: typeof STATE_FORMAT;
}

export interface StoredEventBuffer<E> extends EventBuffer<E> {
  readonly format: typeof STATE_FORMAT;
}

/** A CEP state value in a format this version cannot read (written by a newer eddy, or not CEP state). */
export class CepStateFormatError extends EddyError {
  constructor(message: string) {
    super("EDDY_CEP_STATE_FORMAT", message);
  }
}

/** The match state stored for a key, in whatever format it was written. */
export function readNfaState(value: unknown, operator: string): StoredNfaState {
  const format = formatOf(value, "cep.nfa", operator);
  if (format === STATE_FORMAT) return value as StoredNfaState;
  return nfaStateFromFormat1(value as Parameters<typeof nfaStateFromFormat1>[0]);
}

/** The event buffer stored for a key, in whatever format it was written. */
export function readEventBuffer<E>(value: unknown, operator: string): StoredEventBuffer<E> {
  const format = formatOf(value, "cep.buffer", operator);
  if (format === STATE_FORMAT) return value as StoredEventBuffer<E>;
  return eventBufferFromFormat1(value as Parameters<typeof eventBufferFromFormat1<E>>[0]);
}

/** A new key's match state, in the current format (the NFA's initial state, tagged). */
export function storedNfaState(state: KeyNfaState): StoredNfaState {
  return Object.assign(state, { format: STATE_FORMAT } as const);
}

/** A new key's event buffer, in the current format. */
export function storedEventBuffer<E>(ts: number, value: E): StoredEventBuffer<E> {
  return { format: STATE_FORMAT, ts: [ts], events: [value] };
}

function formatOf(value: unknown, state: string, operator: string): number {
  if (typeof value === "object" && value !== null) {
    const format = (value as { format?: unknown }).format;
    if (format === STATE_FORMAT) return format;
    if (format === undefined && isFormat1(value)) return 1;
    if (typeof format === "number" && format > STATE_FORMAT)
      throw new CepStateFormatError(
        `${operator}: its state "${state}" has format ${format}, written by a newer eddy; this one reads formats 1 to ${STATE_FORMAT}: restore with the version that wrote it or a newer one`,
      );
  }
  throw new CepStateFormatError(
    `${operator}: its state "${state}" is not CEP state of any format this eddy knows (1 to ${STATE_FORMAT}): was another operator's state restored under this uid?`,
  );
}
