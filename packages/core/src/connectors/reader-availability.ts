/**
 * The wake-up handshake between a source reader and its task. After pollNext said
 * "nothing-available", the reader signals once something may have changed (a prefetch landed, a
 * split arrived, a rate-limit timer fired): it resolves the promise `isAvailable()` handed out and
 * calls `context.signalAvailable()`, so a task may wait either way. A signal that comes before the
 * task asks is remembered until the next pollNext, so no wake-up is lost in between. Wake-ups may
 * be spurious: the task just polls again.
 */
import type { SourceReaderContext } from "./api/index.ts";

export class ReaderAvailability {
  private signalled = false;
  private waiter: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly context: SourceReaderContext) {}

  /** Called at the start of pollNext: what that poll finds supersedes earlier signals. */
  reset(): void {
    this.signalled = false;
  }

  signal(): void {
    this.signalled = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
    this.context.signalAvailable();
  }

  whenAvailable(): Promise<void> {
    if (this.signalled) return Promise.resolve();
    if (this.waiter === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.waiter = { promise, resolve };
    }
    return this.waiter.promise;
  }

  /** On close: release anyone still waiting, without waking the task. */
  close(): void {
    this.signalled = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }
}
