/**
 * The entry point of a worker thread in a parallel run: the worker side of the worker-thread
 * deployment (runtime/job/worker-deployment.ts). A worker is one slot: it runs subtask `slot` of
 * every vertex whose parallelism exceeds `slot`. It imports the job module itself (user functions
 * cannot cross threads), checks that it built the same plan as the coordinator, deploys its tasks
 * with local channels between its own subtasks and MessagePorts to the other workers, and
 * reports metrics, dead letters, collected records and its end to the coordinator.
 */
import { parentPort, workerData as rawWorkerData } from "node:worker_threads";
import type { DeadLetter } from "../../api/output-tag.ts";
import { FileCheckpointStore } from "../../checkpoint/file-checkpoint-store.ts";
import { RestoreIndex, readCheckpoint } from "../../checkpoint/restore.ts";
import { readSavepoint } from "../../checkpoint/savepoint.ts";
import type { EddyError } from "../../errors.ts";
import { type Exchange, type PhysicalPlan, planJob } from "../../plan/physical-plan.ts";
import { systemClock } from "../../time/time.ts";
import { sampleTasks } from "../job/job-metrics.ts";
import { checkSamePlan, loadJobModule } from "../job/job-module.ts";
import { LocalChannelProvider } from "../job/local-channels.ts";
import { channelId, type FromWorker, type ToWorker, type WorkerData } from "../job/worker-protocol.ts";
import { RemoteReceiver, RemoteSender } from "../network/remote-channel.ts";
import { type ChannelProvider, deployTasks } from "../task/deploy.ts";
import { LocalReaders, splitGateway } from "../task/split-coordination.ts";
import type { Task } from "../task/task.ts";
import type { CheckpointGateway } from "../task/task-checkpointing.ts";
import { TaskExecutor } from "../task/task-executor.ts";

const data = rawWorkerData as WorkerData;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

async function main(): Promise<void> {
  const job = await loadJobModule(data.moduleUrl, { config: data.config, parallelism: data.parallelism });
  checkSamePlan(data.moduleUrl, job, data.fingerprint);
  const plan = planJob(job, { parallelism: data.parallelism });
  const executor = new TaskExecutor(systemClock);
  const channels = new SlotChannels(plan, executor.wake);
  const readers = new LocalReaders();
  const { checkpoints, restore } = await checkpointing();
  const collected = new Map<string, unknown[]>();
  // Splits may arrive while the tasks are still being deployed (a reader registers, then starts).
  port.on("message", (message: ToWorker) => {
    if (message.type === "splits") readers.addSplits(message.node, message.subtask, message.splits);
    else if (message.type === "no-more-splits") readers.noMoreSplits(message.node, message.subtask);
    else if (message.type === "cancel") executor.cancel();
  });
  const tasks = await deployTasks({
    plan,
    runs: (_vertex, subtask) => subtask === data.slot,
    channels,
    splits: splitGateway(readers, {
      addReader: (node, subtask) => post({ type: "register-reader", node, subtask }),
      handleSplitRequest: (node, subtask) => post({ type: "split-request", node, subtask }),
    }),
    clock: systemClock,
    wake: executor.wake,
    collected,
    onUnconsumedDeadLetter: (letter: DeadLetter) => post({ type: "dead-letter", letter: cloneable(letter) }),
    checkpoints,
    restore: restore === undefined ? undefined : (uid, range) => restore.forOperator(uid, range),
  });
  // Checkpoints are triggered only once every worker is ready.
  port.on("message", (message: ToWorker) => {
    if (message.type === "trigger") for (const task of tasks) task.notifyCheckpoint(message.id);
  });
  post({ type: "ready", slot: data.slot });
  await runTasks(executor, tasks);
  post({
    type: "finished",
    slot: data.slot,
    collected: [...collected],
    sample: sampleTasks(tasks),
    stopped: executor.isCancelled,
    finalCommittables: await Promise.all(tasks.map((t) => t.takeFinalCommittables())),
  });
  channels.close();
  port.close();
}

/** Runs this slot's tasks, sending their metrics every progress interval. */
async function runTasks(executor: TaskExecutor, tasks: readonly Task[]): Promise<void> {
  const timer =
    data.progressIntervalMs === undefined
      ? undefined
      : setInterval(
          () => post({ type: "metrics", slot: data.slot, sample: sampleTasks(tasks) }),
          data.progressIntervalMs,
        );
  try {
    await executor.run(tasks);
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
}

/** Where this worker's tasks write checkpoints, and the checkpoint they restore. */
async function checkpointing(): Promise<{ checkpoints?: CheckpointGateway; restore?: RestoreIndex }> {
  if (data.checkpoints === undefined) return {};
  const store = new FileCheckpointStore(data.checkpoints.dir);
  const checkpoints: CheckpointGateway = {
    store,
    acknowledge: (ack) => post({ type: "ack", ack }),
    decline: (id, reason, committables) => post({ type: "decline", id, reason, committables }),
  };
  const { restoreId, savepoint } = data.checkpoints;
  if (savepoint !== undefined)
    return { checkpoints, restore: new RestoreIndex(await readSavepoint(savepoint)) };
  if (restoreId === 0) return { checkpoints };
  return { checkpoints, restore: new RestoreIndex(await readCheckpoint(store, restoreId)) };
}

/** Local channels between this slot's own subtasks, MessagePorts to the other slots. */
class SlotChannels implements ChannelProvider {
  private readonly local: LocalChannelProvider;
  private readonly remotes: { close(): void }[] = [];

  constructor(
    private readonly plan: PhysicalPlan,
    private readonly wake: () => void,
  ) {
    this.local = new LocalChannelProvider(plan.options.channelCapacity, wake);
  }

  sender(exchange: Exchange, from: number, to: number) {
    if (from === to) return this.local.sender(exchange, from, to);
    const sender = new RemoteSender(
      data.ports[channelId(exchange.id, from, to)],
      this.plan.options.channelCapacity,
      this.wake,
    );
    this.remotes.push(sender);
    return sender;
  }

  receiver(exchange: Exchange, from: number, to: number) {
    if (from === to) return this.local.receiver(exchange, from, to);
    const receiver = new RemoteReceiver(data.ports[channelId(exchange.id, from, to)], this.wake);
    this.remotes.push(receiver);
    return receiver;
  }

  close(): void {
    for (const remote of this.remotes) remote.close();
  }
}

/** A dead letter's record may hold things that cannot be cloned; fall back to its text. */
function cloneable(letter: DeadLetter): DeadLetter {
  try {
    structuredClone(letter.record);
    return letter;
  } catch {
    return { ...letter, record: String(letter.record) };
  }
}

main().catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  post({
    type: "failed",
    slot: data.slot,
    error: { name: e.name, code: (e as EddyError).code, message: e.message, stack: e.stack },
  });
});
