/**
 * The in-thread deployment: every subtask of the plan in the calling thread, taking turns on one
 * TaskExecutor, connected by local channels. The split enumerators run in the same thread, so a
 * reader reaches its enumerator a microtask later (never re-entering it inside pollNext).
 */
import type { Recovery } from "../../checkpoint/recovery.ts";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import type { Clock } from "../../time/time.ts";
import { deployTasks } from "../task/deploy.ts";
import { type EnumeratorRequests, LocalReaders, splitGateway } from "../task/split-coordination.ts";
import type { Task } from "../task/task.ts";
import { TaskExecutor } from "../task/task-executor.ts";
import type { Deployment, DeploymentEvents, DeploymentOutcome } from "./deployment.ts";
import { type MetricsSample, sampleTasks } from "./job-metrics.ts";
import type { ChannelStats } from "./job-result.ts";
import { LocalChannelProvider } from "./local-channels.ts";

export class InThreadDeployment implements Deployment {
  readonly readers = new LocalReaders();
  private readonly executor: TaskExecutor;
  private readonly channels: LocalChannelProvider;
  private readonly collected = new Map<string, unknown[]>();
  /** Deployed by start(). */
  private tasks: readonly Task[] = [];

  constructor(
    private readonly plan: PhysicalPlan,
    private readonly recovery: Recovery | undefined,
    private readonly clock: Clock,
  ) {
    this.executor = new TaskExecutor(clock);
    this.channels = new LocalChannelProvider(plan.options.channelCapacity, this.executor.wake);
  }

  async start(events: DeploymentEvents): Promise<void> {
    const { recovery } = this;
    const enumerators: EnumeratorRequests = {
      addReader: (node, subtask) => queueMicrotask(() => events.enumerators.addReader(node, subtask)),
      handleSplitRequest: (node, subtask) =>
        queueMicrotask(() => events.enumerators.handleSplitRequest(node, subtask)),
    };
    const restore = recovery?.restore;
    this.tasks = await deployTasks({
      plan: this.plan,
      runs: () => true,
      channels: this.channels,
      splits: splitGateway(this.readers, enumerators),
      clock: this.clock,
      wake: this.executor.wake,
      collected: this.collected,
      onUnconsumedDeadLetter: (letter) => events.deadLetter(letter),
      checkpoints:
        recovery === undefined
          ? undefined
          : {
              store: recovery.store,
              acknowledge: (ack) => events.acknowledge(ack),
              decline: (id, reason, committables) => events.decline(id, reason, committables),
            },
      restore: restore === undefined ? undefined : (uid, range) => restore.forOperator(uid, range),
    });
  }

  async run(): Promise<DeploymentOutcome> {
    await this.executor.run(this.tasks);
    const stopped = this.executor.isCancelled;
    // With checkpoints or without, a bounded run commits its sinks' last output when it ends.
    const finalCommittables = stopped
      ? []
      : await Promise.all(this.tasks.map((t) => t.takeFinalCommittables()));
    return { stopped, collected: this.collected, finalCommittables };
  }

  triggerCheckpoint(id: number): void {
    for (const task of this.tasks) task.notifyCheckpoint(id);
  }

  cancel(): void {
    this.executor.cancel();
  }

  fail(error: Error): void {
    this.executor.fail(error);
  }

  samples(): readonly MetricsSample[] {
    return [sampleTasks(this.tasks)];
  }

  channelStats(): readonly ChannelStats[] {
    return [...this.channels.channels].map(([id, c]) => ({
      id,
      capacity: c.capacity,
      peakQueuedBatches: c.peakQueuedBatches,
    }));
  }

  async close(): Promise<void> {}
}
