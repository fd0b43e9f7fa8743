/**
 * The worker-thread deployment: one worker per slot (the largest parallelism of any vertex); the
 * worker of slot s runs subtask s of every vertex wide enough, imports the job module itself
 * (functions cannot cross threads) and talks to this thread by the worker protocol. Channels
 * between two slots are MessagePorts wired here; split assignments, checkpoint triggers and
 * cancellation go out as messages; metrics, acknowledgements, dead letters, collected records and
 * each worker's end come back. One worker failing fails the run: the others are cancelled, and
 * terminated if they have not ended a second later.
 */

import type { MessagePort, Worker } from "node:worker_threads";
import type { Recovery } from "../../checkpoint/recovery.ts";
import { EddyError, JobFailedError } from "../../errors.ts";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import { registeredStateBackendModules } from "../../state/state-backend-factory.ts";
import type { ReaderDelivery } from "../task/split-coordination.ts";
import type { Deployment, DeploymentEvents, DeploymentOutcome } from "./deployment.ts";
import type { MetricsSample } from "./job-metrics.ts";
import type { ChannelStats } from "./job-result.ts";
import type { FromWorker, ToWorker, WorkerData } from "./worker-protocol.ts";
import { exitOrTerminate, slotPorts, startWorker } from "./worker-threads.ts";

/** The job module every worker imports, and what it must build. */
export interface WorkerJobModule {
  readonly moduleUrl: string;
  readonly config: Record<string, unknown>;
  readonly parallelism: number | undefined;
  /** The plan's fingerprint in this thread; a worker that builds another plan fails the run. */
  readonly fingerprint: string;
}

/** How long cancelled workers of a failed run get to end before they are terminated. */
const FAILED_RUN_GRACE_MS = 1000;

export class WorkerDeployment implements Deployment {
  readonly readers: ReaderDelivery = {
    addSplits: (node, subtask, splits) =>
      this.post(subtask, { type: "splits", node, subtask, splits: [...splits] }),
    noMoreSplits: (node, subtask) => this.post(subtask, { type: "no-more-splits", node, subtask }),
  };
  private readonly slots: number;
  private readonly workers: Worker[] = [];
  private readonly latest: MetricsSample[];
  private readonly collected = new Map<string, unknown[]>();
  private readonly finalCommittables: Record<string, unknown[]>[] = [];
  private ready = 0;
  private finished = 0;
  private stopped = false;
  /** A stop asked for before every worker was started reaches the later ones at their start. */
  private cancelled = false;
  private failure: Error | undefined;
  private readonly allReady: Promise<void>;
  private readonly ended: Promise<void>;
  private markReady!: () => void;
  private markEnded!: () => void;

  constructor(
    private readonly plan: PhysicalPlan,
    private readonly recovery: Recovery | undefined,
    private readonly module: WorkerJobModule,
    /** How often workers send metrics; never when undefined. */
    private readonly progressIntervalMs: number | undefined,
  ) {
    this.slots = plan.slots;
    this.latest = Array.from({ length: this.slots }, () => []);
    this.allReady = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
  }

  /** Starts the workers; resolves when every one has deployed its tasks, rejects if one fails first. */
  async start(events: DeploymentEvents): Promise<void> {
    const ports = slotPorts(this.plan);
    for (let slot = 0; slot < this.slots; slot++) {
      const worker = startWorker(this.workerData(slot, ports[slot]));
      this.workers.push(worker);
      if (this.cancelled) worker.postMessage({ type: "cancel" } satisfies ToWorker);
      worker.on("message", (message: FromWorker) => this.receive(message, events));
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => {
        if (code !== 0 && this.failure === undefined && this.finished < this.slots)
          this.fail(new JobFailedError(`worker for slot ${slot} exited with code ${code}`));
      });
    }
    await Promise.race([this.allReady, this.ended]);
    if (this.failure !== undefined) throw this.failure;
  }

  async run(): Promise<DeploymentOutcome> {
    await this.ended;
    if (this.failure !== undefined) throw this.failure;
    return { stopped: this.stopped, collected: this.collected, finalCommittables: this.finalCommittables };
  }

  triggerCheckpoint(id: number): void {
    this.broadcast({ type: "trigger", id });
  }

  cancel(): void {
    this.cancelled = true;
    this.broadcast({ type: "cancel" });
  }

  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.cancel();
    setTimeout(() => {
      for (const worker of this.workers) void worker.terminate();
      this.markEnded();
    }, FAILED_RUN_GRACE_MS);
  }

  samples(): readonly MetricsSample[] {
    return this.latest;
  }

  channelStats(): readonly ChannelStats[] {
    return [];
  }

  /**
   * Lets the workers end by themselves: terminating one can drop what it wrote to stdout (a print
   * sink's last lines) before this thread received it.
   */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => exitOrTerminate(w, 5000)));
  }

  private workerData(slot: number, ports: Record<string, MessagePort>): WorkerData {
    const { recovery, module } = this;
    return {
      moduleUrl: module.moduleUrl,
      config: module.config,
      parallelism: module.parallelism,
      slot,
      fingerprint: module.fingerprint,
      ports,
      progressIntervalMs: this.progressIntervalMs,
      checkpoints:
        recovery === undefined
          ? undefined
          : {
              dir: recovery.store.location,
              restoreId: recovery.restore?.checkpointId ?? 0,
              ...(recovery.restoredSavepoint === undefined ? {} : { savepoint: recovery.restoredSavepoint }),
            },
      preload: registeredStateBackendModules(),
    };
  }

  private receive(message: FromWorker, events: DeploymentEvents): void {
    switch (message.type) {
      case "register-reader":
        events.enumerators.addReader(message.node, message.subtask);
        break;
      case "split-request":
        events.enumerators.handleSplitRequest(message.node, message.subtask);
        break;
      case "metrics":
        this.latest[message.slot] = message.sample;
        break;
      case "ready":
        if (++this.ready === this.slots) this.markReady();
        break;
      case "ack":
        events.acknowledge(message.ack);
        break;
      case "decline":
        events.decline(message.id, message.reason, message.committables);
        break;
      case "dead-letter":
        events.deadLetter(message.letter);
        break;
      case "finished":
        this.workerFinished(message);
        break;
      case "failed": {
        const error = new EddyError(message.error.code ?? "EDDY_TASK_FAILED", message.error.message);
        error.stack = message.error.stack;
        this.fail(error);
        break;
      }
    }
  }

  private workerFinished(message: Extract<FromWorker, { type: "finished" }>): void {
    this.latest[message.slot] = message.sample;
    for (const [uid, records] of message.collected) {
      const list = this.collected.get(uid);
      if (list === undefined) this.collected.set(uid, records);
      else for (const r of records) list.push(r);
    }
    if (message.stopped) this.stopped = true;
    this.finalCommittables.push(...message.finalCommittables);
    if (++this.finished === this.slots) this.markEnded();
  }

  private post(slot: number, message: ToWorker): void {
    this.workers[slot]?.postMessage(message);
  }

  private broadcast(message: ToWorker): void {
    for (let slot = 0; slot < this.workers.length; slot++) this.post(slot, message);
  }
}
