/**
 * The entry point of a worker thread in a parallel run. A worker is one slot: it runs subtask
 * `slot` of every vertex whose parallelism exceeds `slot`. It imports the job module itself (user
 * functions cannot cross threads), checks that it built the same plan as the coordinator, deploys
 * its tasks with local channels between its own subtasks and MessagePorts to the other workers,
 * and reports metrics, dead letters, collected records and its end to the coordinator.
 */
import { parentPort, workerData as rawWorkerData } from "node:worker_threads";
import type { DeadLetter } from "../../api/output-tag.ts";
import { FileCheckpointStore } from "../../checkpoint/file-checkpoint-store.ts";
import { RestoreIndex, readCheckpoint } from "../../checkpoint/restore.ts";
import { EddyError } from "../../errors.ts";
import { type Exchange, planJob } from "../../plan/physical-plan.ts";
import { systemClock } from "../../time/time.ts";
import { sampleTasks } from "../job/job-metrics.ts";
import { loadJobModule, planFingerprint } from "../job/job-module.ts";
import { channelId, type FromWorker, type ToWorker, type WorkerData } from "../job/worker-protocol.ts";
import { LocalChannel } from "../network/channel.ts";
import { RemoteReceiver, RemoteSender } from "../network/remote-channel.ts";
import { type ChannelProvider, deployTasks } from "../task/deploy.ts";
import type { ReaderEndpoint, SplitGateway } from "../task/split-coordination.ts";
import type { Task } from "../task/task.ts";
import type { CheckpointGateway } from "../task/task-checkpointing.ts";
import { TaskExecutor } from "../task/task-executor.ts";

const data = rawWorkerData as WorkerData;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

async function main(): Promise<void> {
  const job = await loadJobModule(data.moduleUrl, { config: data.config, parallelism: data.parallelism });
  if (planFingerprint(job) !== data.fingerprint)
    throw new EddyError(
      "EDDY_PLAN_MISMATCH",
      "the job module built a different plan in a worker thread than in the coordinator: a job module must build " +
        "its plan deterministically from its configuration (no randomness, clock or I/O at import time)",
    );
  const plan = planJob(job, { parallelism: data.parallelism });
  let executor: TaskExecutor | undefined;
  const wake = () => executor?.wake();
  const capacity = plan.options.channelCapacity;

  const local = new Map<string, LocalChannel>();
  const remotes: { close(): void }[] = [];
  const channels: ChannelProvider = {
    sender(exchange: Exchange, from: number, to: number) {
      const id = channelId(exchange.id, from, to);
      if (from === to) return localChannel(id);
      const sender = new RemoteSender(data.ports[id], capacity, wake);
      remotes.push(sender);
      return sender;
    },
    receiver(exchange: Exchange, from: number, to: number) {
      const id = channelId(exchange.id, from, to);
      if (from === to) return localChannel(id);
      const receiver = new RemoteReceiver(data.ports[id], wake);
      remotes.push(receiver);
      return receiver;
    },
  };
  function localChannel(id: string): LocalChannel {
    let channel = local.get(id);
    if (channel === undefined) local.set(id, (channel = new LocalChannel(capacity, wake, wake)));
    return channel;
  }

  const readers = new Map<string, ReaderEndpoint>();
  const splits: SplitGateway = {
    registerReader(node, subtask, endpoint) {
      readers.set(`${node}:${subtask}`, endpoint);
      post({ type: "register-reader", node, subtask });
    },
    requestSplit(node, subtask) {
      post({ type: "split-request", node, subtask });
    },
  };
  let tasks: Task[] = [];
  port.on("message", (message: ToWorker) => {
    if (message.type === "splits")
      readers.get(`${message.node}:${message.subtask}`)?.addSplits(message.splits);
    else if (message.type === "no-more-splits")
      readers.get(`${message.node}:${message.subtask}`)?.noMoreSplits();
    else if (message.type === "cancel") executor?.cancel();
    else if (message.type === "trigger") for (const task of tasks) task.notifyCheckpoint(message.id);
  });

  let checkpoints: CheckpointGateway | undefined;
  let restore: RestoreIndex | undefined;
  if (data.checkpoints !== undefined) {
    const store = new FileCheckpointStore(data.checkpoints.dir);
    checkpoints = {
      store,
      acknowledge: (ack) => post({ type: "ack", ack }),
      decline: (id, reason) => post({ type: "decline", id, reason }),
    };
    if (data.checkpoints.restoreId > 0)
      restore = new RestoreIndex(await readCheckpoint(store, data.checkpoints.restoreId));
  }

  const collected = new Map<string, unknown[]>();
  tasks = await deployTasks({
    plan,
    runs: (_vertex, subtask) => subtask === data.slot,
    channels,
    splits,
    clock: systemClock,
    wake,
    collected,
    onUnconsumedDeadLetter: (letter: DeadLetter) => post({ type: "dead-letter", letter: cloneable(letter) }),
    checkpoints,
    restore: restore === undefined ? undefined : (uid, range) => restore.forOperator(uid, range),
  });
  executor = new TaskExecutor(tasks, systemClock);
  post({ type: "ready", slot: data.slot });
  const timer =
    data.progressIntervalMs === undefined
      ? undefined
      : setInterval(
          () => post({ type: "metrics", slot: data.slot, sample: sampleTasks(tasks) }),
          data.progressIntervalMs,
        );
  try {
    await executor.run();
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
  post({
    type: "finished",
    slot: data.slot,
    collected: [...collected],
    sample: sampleTasks(tasks),
    stopped: executor.isCancelled,
    finalCommittables: await Promise.all(tasks.map((t) => t.takeFinalCommittables())),
  });
  for (const remote of remotes) remote.close();
  port.close();
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
