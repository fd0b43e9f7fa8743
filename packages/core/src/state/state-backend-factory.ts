/**
 * The seam between the runtime and whatever holds keyed state: a StateBackendFactory makes one
 * KeyedStateBackend per keyed operator subtask, and may clean up what killed processes left
 * behind before a run. Core ships the heap backend; other backends live in their own packages
 * (`@eddy/state-lmdb`, whose native dependency core must not have) and register their factory by
 * name when imported, so `Job.create({ stateBackend: "lmdb" })` finds it. A job may also pass a
 * factory object directly. Worker threads build the job again from its module, so a registered
 * factory names the module that registers it (`moduleUrl`) for workers to import first.
 */
import type { StateBackendChoice } from "../api/job.ts";
import { ConfigError, StateBackendNotRegisteredError } from "../errors.ts";
import type { Clock } from "../time/time.ts";
import { HeapKeyedStateBackend } from "./heap-keyed-state-backend.ts";
import type { KeyGroupRange } from "./key-groups.ts";
import type { KeyedStateBackend } from "./keyed-state-backend.ts";

/** What a factory knows about the operator subtask it makes a backend for. */
export interface KeyedStateBackendContext {
  readonly jobName: string;
  readonly operatorUid: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly maxParallelism: number;
  /** The key groups the subtask owns. */
  readonly range: KeyGroupRange;
  readonly clock: Clock;
  /** The job's `stateDir` option: where a backend on disk keeps its working files. */
  readonly stateDir: string;
}

export interface StateBackendFactory {
  /** The name a job gives as `stateBackend` ("heap", "lmdb"). */
  readonly name: string;
  /** A module that registers this factory when imported (its `import.meta.url`); worker threads import it. */
  readonly moduleUrl?: string;
  createKeyedStateBackend(context: KeyedStateBackendContext): KeyedStateBackend;
  /** Runs once before a job runs (in the coordinating thread): e.g. remove scratch files of killed processes. */
  prepareRun?(stateDir: string, jobName: string): Promise<void>;
}

export const heapStateBackend: StateBackendFactory = {
  name: "heap",
  createKeyedStateBackend: (c) =>
    new HeapKeyedStateBackend(c.maxParallelism, c.range, c.clock, c.operatorName),
};

const registry = new Map<string, StateBackendFactory>([["heap", heapStateBackend]]);

/** Makes `factory` available by its name to jobs in this thread. Registering the same name again replaces it. */
export function registerStateBackend(factory: StateBackendFactory): void {
  if (!isFactory(factory))
    throw new ConfigError("stateBackend", "registerStateBackend needs { name, createKeyedStateBackend }");
  registry.set(factory.name, factory);
}

/** The factory a job's `stateBackend` option stands for; throws when a named one is not registered. */
export function resolveStateBackend(choice: StateBackendChoice): StateBackendFactory {
  if (typeof choice !== "string") return choice as StateBackendFactory;
  const factory = registry.get(choice);
  if (factory === undefined) throw new StateBackendNotRegisteredError(choice, [...registry.keys()]);
  return factory;
}

/** Modules that registered the named backends of this thread, for worker threads to import. */
export function registeredStateBackendModules(): string[] {
  const urls: string[] = [];
  for (const f of registry.values()) if (f.moduleUrl !== undefined) urls.push(f.moduleUrl);
  return urls;
}

export function isFactory(value: unknown): value is StateBackendFactory {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as StateBackendFactory).name === "string" &&
    typeof (value as StateBackendFactory).createKeyedStateBackend === "function"
  );
}
