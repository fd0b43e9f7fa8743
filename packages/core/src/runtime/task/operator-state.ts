/**
 * The checkpointable state of one operator in one subtask: its keyed-state backend and timer
 * services (created on first use), restored from a checkpoint when there is one, and snapshotted
 * by key group when a barrier passes: the backend's snapshot is read afterwards, asynchronously
 * (task-checkpointing.ts); timers are taken at once. Sources add their readers' split positions.
 */
import type { Key } from "../../api/functions.ts";
import type { StateKind } from "../../api/state.ts";
import type { RestoredOperatorState } from "../../checkpoint/restore.ts";
import type { KeyGroupSnapshot, PendingOperatorSnapshot, TimerEntry } from "../../checkpoint/snapshot.ts";
import type { SourceSplit } from "../../connectors/api/source.ts";
import type { KeyedStateBackend, KeyedStateSnapshot } from "../../state/keyed-state-backend.ts";
import type { InternalTimerService, Namespace } from "../operators/timer-service.ts";

export class OperatorStateHolder {
  backend: KeyedStateBackend | undefined;
  readonly timerServices: InternalTimerService[] = [];

  constructor(
    readonly uid: string,
    readonly kind: string,
    private readonly restored: RestoredOperatorState | undefined,
  ) {}

  /** Attaches the backend when the operator first asks for it, loading restored state. */
  attachBackend(backend: KeyedStateBackend): void {
    this.backend = backend;
    if (this.restored === undefined) return;
    backend.restore(
      this.restored.stateKinds,
      [...this.restored.groups].map(
        ([kg, group]) => [kg, group.states] as [number, Record<string, [Key, unknown][]>],
      ),
    );
  }

  /** Registers a timer service (in creation order, which a restore relies on) and restores its timers. */
  attachTimerService(service: InternalTimerService): void {
    const index = this.timerServices.length;
    this.timerServices.push(service);
    if (this.restored === undefined) return;
    for (const [kg, group] of this.restored.groups)
      for (const [s, domain, key, namespace, time] of group.timers)
        if (s === index) service.restoreTimer(domain, key, kg, namespace as Namespace, time);
  }

  /** Releases the backend's resources (LMDB files) when the task ends (or when snapshots being read end). */
  dispose(): void {
    this.backend?.dispose();
  }

  /** The synchronous part of a checkpoint: the keyed state's entries are read later from `keyed.state`. */
  snapshot(splits?: SourceSplit[]): PendingOperatorSnapshot {
    const groups: Record<number, KeyGroupSnapshot> = {};
    let stateKinds: Record<string, StateKind> | undefined;
    let state: KeyedStateSnapshot | undefined;
    if (this.backend !== undefined) {
      state = this.backend.snapshot();
      stateKinds = { ...state.stateKinds };
    } else if (this.restored !== undefined) {
      // Restored but never used in this run: carry the state over unchanged.
      stateKinds = this.restored.stateKinds;
      for (const [kg, group] of this.restored.groups) groups[kg] = { states: group.states, timers: [] };
    }
    if (this.timerServices.length > 0) {
      const timers = new Map<number, TimerEntry[]>();
      this.timerServices.forEach((service, i) => service.snapshotTimers(i, timers));
      for (const [kg, entries] of timers) {
        groups[kg] ??= { states: {}, timers: [] };
        groups[kg].timers.push(...entries);
      }
      stateKinds ??= {};
    }
    return {
      uid: this.uid,
      kind: this.kind,
      ...(stateKinds === undefined
        ? {}
        : { keyed: { stateKinds, groups, ...(state === undefined ? {} : { state }) } }),
      ...(splits === undefined ? {} : { splits }),
    };
  }
}
