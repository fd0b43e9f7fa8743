/**
 * Runs a job module on worker threads: one worker per slot (the largest parallelism of any
 * vertex). The calling thread is the coordinator: it plans the job, runs the sources' split
 * enumerators, wires a MessagePort for every channel between two workers, gathers metrics,
 * dead letters and collected records, and fails the whole run if any worker fails.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { CheckpointCoordinator } from "../../checkpoint/checkpoint-coordinator.ts";
import type { SourceSplit } from "../../connectors/api/source.ts";
import { EddyError, JobFailedError } from "../../errors.ts";
import { planJob } from "../../plan/physical-plan.ts";
import { type ReaderDelivery, SourceCoordinator } from "../task/split-coordination.ts";
import { aggregateSamples, type JobProgress, type MetricsSample } from "./job-metrics.ts";
import { type JobContext, loadJobModule, planFingerprint, toModuleUrl } from "./job-module.ts";
import { runWithRestarts } from "./restart-strategy.ts";
import {
  defaultDeadLetterLog,
  defaultWarn,
  expectedRecords,
  JobResult,
  prepareRun,
  type RunOptions,
} from "./run-job.ts";
import { channelId, type FromWorker, type ToWorker, type WorkerData } from "./worker-protocol.ts";

export interface ModuleRunOptions extends Omit<RunOptions, "clock"> {
  /** Configuration handed to the job module's factory. */
  config?: Record<string, unknown>;
}

/** execArgv for workers: the parent's, minus loader flags (the bootstrap registers tsx itself). */
function workerExecArgv(): string[] {
  const argv: string[] = [];
  const parent = process.execArgv;
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i];
    if ((a === "--import" || a === "--loader" || a === "--require") && i + 1 < parent.length) {
      i++;
      continue;
    }
    if (a.startsWith("--import=") || a.startsWith("--loader=") || a.startsWith("--input-type")) continue;
    argv.push(a);
  }
  return argv;
}

/** Runs a job module on worker threads; with a restart strategy, a failed run is restarted. */
export function runJobModule(pathOrUrl: string, options: ModuleRunOptions = {}): Promise<JobResult> {
  return runWithRestarts(
    () => runJobModuleOnce(pathOrUrl, options),
    options.restartStrategy,
    options.onWarning ?? defaultWarn,
  );
}

async function runJobModuleOnce(pathOrUrl: string, options: ModuleRunOptions): Promise<JobResult> {
  const moduleUrl = toModuleUrl(pathOrUrl);
  const context: JobContext = { config: options.config ?? {}, parallelism: options.parallelism };
  const job = await loadJobModule(moduleUrl, context);
  const plan = planJob(job, { parallelism: options.parallelism });
  const { warn, recovery } = await prepareRun(plan, options);
  if (recovery?.alreadyFinished) return JobResult.alreadyFinished(plan, recovery.lastCheckpointId);
  const started = performance.now();
  const slots = plan.slots;
  const log = options.onDeadLetter ?? defaultDeadLetterLog();
  let deadLetters = 0;

  // One MessageChannel per channel between different slots.
  const ports: Record<string, MessagePort>[] = Array.from({ length: slots }, () => ({}));
  for (const exchange of plan.exchanges) {
    const fromP = plan.vertices[exchange.fromVertex].parallelism;
    const toP = plan.vertices[exchange.toVertex].parallelism;
    for (let from = 0; from < fromP; from++)
      for (let to = 0; to < toP; to++) {
        if (from === to || (exchange.type === "forward" && from !== to)) continue;
        const { port1, port2 } = new MessageChannel();
        const id = channelId(exchange.id, from, to);
        ports[from][id] = port1;
        ports[to][id] = port2;
      }
  }

  const workers: Worker[] = [];
  const post = (slot: number, message: ToWorker) => workers[slot]?.postMessage(message);
  const onAbort = () => {
    for (let s = 0; s < workers.length; s++) post(s, { type: "cancel" });
  };
  // Split assignments wait while a checkpoint is being taken at the sources (see the coordinator).
  let held: [number, ToWorker][] | undefined;
  const send = (slot: number, message: ToWorker) => {
    if (held !== undefined) held.push([slot, message]);
    else post(slot, message);
  };
  const delivery: ReaderDelivery = {
    addSplits: (node, subtask, splits) =>
      send(subtask, { type: "splits", node, subtask, splits: [...splits] }),
    noMoreSplits: (node, subtask) => send(subtask, { type: "no-more-splits", node, subtask }),
  };
  const coordinators = new Map<number, SourceCoordinator>();
  for (const node of plan.nodes)
    if (node.spec.kind === "source")
      coordinators.set(
        node.id,
        new SourceCoordinator(
          node.id,
          node.spec.source,
          plan.parallelism[node.id],
          delivery,
          recovery?.restore?.splitsOf(node.uid),
        ),
      );
  for (const c of coordinators.values()) await c.enumerator.start();

  let checkpointCoordinator: CheckpointCoordinator | undefined;
  /** Fails the run (set once the workers are started below). */
  let failRun: (error: Error) => void = () => {};
  if (recovery !== undefined) {
    const all: string[] = [];
    const sources: string[] = [];
    for (const vertex of plan.vertices)
      for (let i = 0; i < vertex.parallelism; i++) {
        all.push(`${vertex.id}:${i}`);
        if (plan.nodes[vertex.nodes[0]].spec.kind === "source") sources.push(`${vertex.id}:${i}`);
      }
    checkpointCoordinator = new CheckpointCoordinator(
      recovery.store,
      { name: plan.jobName, maxParallelism: plan.options.maxParallelism },
      { all, sources },
      recovery.committers,
      {
        triggerSources: (id) => {
          for (let s = 0; s < workers.length; s++) post(s, { type: "trigger", id });
          return true;
        },
        snapshotEnumerators: (id) => {
          const result: Record<string, SourceSplit[]> = {};
          for (const [nodeId, c] of coordinators)
            result[plan.nodes[nodeId].uid] = c.enumerator.snapshotState(id);
          return result;
        },
        pauseSplitAssignment: (paused) => {
          if (paused) held ??= [];
          else {
            const queued = held ?? [];
            held = undefined;
            for (const [slot, message] of queued) post(slot, message);
          }
        },
        warn,
        fail: (error) => failRun(error),
      },
      options.checkpointing!,
      recovery.lastCheckpointId,
    );
  }
  const finalCommittables: Record<string, unknown[]>[] = [];
  let ready = 0;

  const samples: MetricsSample[] = Array.from({ length: slots }, () => []);
  const collected = new Map<string, unknown[]>();
  let finished = 0;
  let stopped = false;
  let failure: Error | undefined;
  const progress = (): JobProgress => ({
    jobName: plan.jobName,
    elapsedMs: performance.now() - started,
    operators: aggregateSamples(plan, samples),
    expectedSourceRecords: expectedRecords(plan),
    deadLetters,
  });

  const done = new Promise<void>((resolve) => {
    const fail = (error: Error) => {
      if (failure === undefined) failure = error;
      for (let s = 0; s < workers.length; s++) post(s, { type: "cancel" });
      setTimeout(() => {
        for (const w of workers) void w.terminate();
        resolve();
      }, 1000);
    };
    failRun = fail;
    const exec = workerExecArgv();
    for (let slot = 0; slot < slots; slot++) {
      const workerData: WorkerData = {
        moduleUrl,
        config: context.config as Record<string, unknown>,
        parallelism: options.parallelism,
        slot,
        fingerprint: planFingerprint(job),
        ports: ports[slot],
        progressIntervalMs:
          options.onProgress === undefined ? undefined : (options.progressIntervalMs ?? 500),
        checkpoints:
          recovery === undefined
            ? undefined
            : { dir: recovery.store.location, restoreId: recovery.restore?.checkpointId ?? 0 },
      };
      const worker = new Worker(new URL("../worker/worker-bootstrap.mjs", import.meta.url), {
        workerData,
        transferList: Object.values(ports[slot]),
        execArgv: exec,
      });
      workers.push(worker);
      worker.on("message", (message: FromWorker) => {
        switch (message.type) {
          case "register-reader":
            coordinators.get(message.node)?.enumerator.addReader(message.subtask);
            break;
          case "split-request":
            coordinators.get(message.node)?.enumerator.handleSplitRequest(message.subtask);
            break;
          case "metrics":
            samples[message.slot] = message.sample;
            break;
          case "ready":
            if (++ready === slots) {
              checkpointCoordinator?.start();
              options.control?.attach({
                jobName: plan.jobName,
                checkpointDir: recovery?.store.location,
                checkpointNow: (checkpoint) =>
                  checkpointCoordinator === undefined
                    ? Promise.reject(new Error("checkpointing is off for this job: it takes no checkpoints"))
                    : checkpointCoordinator.checkpointNow(checkpoint),
                stop: onAbort,
              });
            }
            break;
          case "ack":
            checkpointCoordinator?.acknowledge(message.ack);
            break;
          case "decline":
            checkpointCoordinator?.decline(message.id, message.reason);
            break;
          case "dead-letter":
            deadLetters++;
            log(message.letter);
            break;
          case "finished":
            samples[message.slot] = message.sample;
            for (const [uid, records] of message.collected) {
              const list = collected.get(uid);
              if (list === undefined) collected.set(uid, records);
              else for (const r of records) list.push(r);
            }
            if (message.stopped) stopped = true;
            finalCommittables.push(...message.finalCommittables);
            if (++finished === slots) resolve();
            break;
          case "failed": {
            const error = new EddyError(message.error.code ?? "EDDY_TASK_FAILED", message.error.message);
            error.stack = message.error.stack;
            fail(error);
            break;
          }
        }
      });
      worker.on("error", (error) => fail(error));
      worker.on("exit", (code) => {
        if (code !== 0 && failure === undefined && finished < slots)
          fail(new JobFailedError(`worker for slot ${slot} exited with code ${code}`));
      });
    }
  });

  options.signal?.addEventListener("abort", onAbort);
  const timer =
    options.onProgress === undefined
      ? undefined
      : setInterval(() => options.onProgress!(progress()), options.progressIntervalMs ?? 500);
  try {
    await done;
    if (checkpointCoordinator !== undefined && failure === undefined) {
      if (stopped) await checkpointCoordinator.abortPending();
      else await checkpointCoordinator.finish(finalCommittables);
      if (checkpointCoordinator.error !== undefined) throw checkpointCoordinator.error;
    }
  } finally {
    options.control?.attach(undefined);
    checkpointCoordinator?.stop();
    if (timer !== undefined) clearInterval(timer);
    options.signal?.removeEventListener("abort", onAbort);
    for (const c of coordinators.values()) await c.enumerator.close();
  }
  if (failure !== undefined) throw failure;
  // Let the workers end by themselves: terminating one can drop what it wrote to stdout (a print
  // sink's last lines) before the main thread received it.
  await Promise.all(workers.map((w) => exitOrTerminate(w, 5000)));
  const final = progress();
  options.onProgress?.(final);
  return new JobResult({
    plan,
    collected,
    operators: final.operators,
    deadLetters,
    durationMs: final.elapsedMs,
    stopped: stopped || checkpointCoordinator?.stoppedAt !== undefined,
    checkpoints: checkpointCoordinator?.completed,
    restoredFrom: recovery?.restore?.checkpointId,
  });
}

/** Waits for a worker that has finished its work to exit; terminates it if it does not in time. */
function exitOrTerminate(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve()), timeoutMs);
    worker.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (worker.threadId === -1) {
      clearTimeout(timer);
      resolve();
    }
  });
}
