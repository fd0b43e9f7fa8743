/**
 * Runs one implementation of a query over the first `events` events and returns its output
 * digest: the hand-written loop, RxJS, or eddy (in this thread at parallelism 1 or 2, or on
 * worker threads). The same function serves the benchmark (timed around it) and the tests.
 */

import { type CheckpointOptions, type JobResult, runJob, runJobModule } from "@eddy/core";
import { type NexmarkEvent, NexmarkGenerator, type NexmarkOptions } from "@eddy/nexmark";
import { Observable } from "rxjs";
import { buildNexmarkJob, DIGEST_UID, type NexmarkJobConfig } from "./nexmark-job.ts";
import { nexmarkQuery } from "./queries/index.ts";
import { combineDigests, type DigestState, RowDigest } from "./row-digest.ts";

export const IMPLEMENTATIONS = ["hand-written", "rxjs", "eddy-p1", "eddy-p2"] as const;
/** eddy-p2-local: parallelism 2 with both subtasks in this thread (tests; no thread crossing). */
export type Implementation = (typeof IMPLEMENTATIONS)[number] | "eddy-p2-local";

export const JOB_MODULE_URL = new URL("./nexmark-job.ts", import.meta.url).href;

export interface RunSpec extends NexmarkOptions {
  readonly query: string;
  readonly events: number;
}

export function hasImplementation(query: string, impl: Implementation): boolean {
  return impl !== "rxjs" || nexmarkQuery(query).rx !== undefined;
}

/** The first `events` events as a cold, synchronous Observable. */
export function nexmarkObservable(options: NexmarkOptions, events: number): Observable<NexmarkEvent> {
  return new Observable<NexmarkEvent>((subscriber) => {
    const generator = new NexmarkGenerator(options);
    for (let k = 0; k < events && !subscriber.closed; k++) subscriber.next(generator.event(k));
    subscriber.complete();
  });
}

export type EddyImplementation = "eddy-p1" | "eddy-p2" | "eddy-p2-local";

/** Runs a query's eddy job (optionally with checkpoints) and returns the whole job result. */
export async function runEddyImplementation(
  spec: RunSpec,
  impl: EddyImplementation,
  checkpointing?: CheckpointOptions,
): Promise<JobResult> {
  const config: NexmarkJobConfig = {
    query: spec.query,
    events: spec.events,
    seed: spec.seed,
    profile: spec.profile,
    eventRate: spec.eventRate,
    baseTime: spec.baseTime,
  };
  const options = checkpointing === undefined ? {} : { checkpointing };
  if (impl === "eddy-p2")
    return runJobModule(JOB_MODULE_URL, {
      parallelism: 2,
      config: config as unknown as Record<string, unknown>,
      ...options,
    });
  return runJob(buildNexmarkJob(config), { parallelism: impl === "eddy-p1" ? 1 : 2, ...options });
}

export async function runImplementation(spec: RunSpec, impl: Implementation): Promise<string> {
  const query = nexmarkQuery(spec.query);
  const options: NexmarkOptions = {
    seed: spec.seed,
    profile: spec.profile,
    eventRate: spec.eventRate,
    baseTime: spec.baseTime,
  };
  switch (impl) {
    case "hand-written": {
      const digest = new RowDigest();
      query.handWritten(new NexmarkGenerator(options), spec.events, digest);
      return digest.toString();
    }
    case "rxjs": {
      if (query.rx === undefined) throw new Error(`${query.name} has no RxJS implementation`);
      const digest = new RowDigest();
      let failure: unknown;
      query.rx(nexmarkObservable(options, spec.events)).subscribe({
        next: (row) => query.digestRow(row, digest),
        error: (e) => {
          failure = e;
        },
      });
      if (failure !== undefined) throw failure;
      return digest.toString();
    }
    case "eddy-p1":
    case "eddy-p2-local":
    case "eddy-p2": {
      const result = await runEddyImplementation(spec, impl);
      return combineDigests(result.collected<DigestState>(DIGEST_UID));
    }
  }
}
