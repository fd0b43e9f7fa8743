/**
 * Worker threads of a parallel run, as the coordinating thread starts and ends them: one
 * MessageChannel per channel between two slots, the worker's entry and flags, and a wait for a
 * worker that has finished its work to exit.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import { channelId, type WorkerData } from "./worker-protocol.ts";

/** For each slot, its ends of the channels between different slots, by channel id. */
export function slotPorts(plan: PhysicalPlan): Record<string, MessagePort>[] {
  const ports: Record<string, MessagePort>[] = Array.from({ length: plan.slots }, () => ({}));
  for (const exchange of plan.exchanges) {
    const fromP = plan.vertices[exchange.fromVertex].parallelism;
    const toP = plan.vertices[exchange.toVertex].parallelism;
    for (let from = 0; from < fromP; from++)
      for (let to = 0; to < toP; to++) {
        if (from === to || exchange.type === "forward") continue;
        const { port1, port2 } = new MessageChannel();
        const id = channelId(exchange.id, from, to);
        ports[from][id] = port1;
        ports[to][id] = port2;
      }
  }
  return ports;
}

/** Starts the worker of one slot; it owns (and is transferred) the ports in `workerData`. */
export function startWorker(workerData: WorkerData): Worker {
  return new Worker(new URL("../worker/worker-bootstrap.mjs", import.meta.url), {
    workerData,
    transferList: Object.values(workerData.ports),
    execArgv: workerExecArgv(),
  });
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

/** Waits for a worker that has finished its work to exit; terminates it if it does not in time. */
export function exitOrTerminate(worker: Worker, timeoutMs: number): Promise<void> {
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
