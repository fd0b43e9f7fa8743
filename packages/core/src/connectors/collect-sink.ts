/**
 * Collects records in memory, per run, for tests and small results. In a parallel run each
 * worker's records are sent to the coordinator when the worker finishes; read them from the
 * job result by the sink's uid.
 */
import type { Sink, SinkContext, SinkWriter } from "./api/index.ts";

export class CollectSink<T> implements Sink<T> {
  readonly guarantee = "none" as const;
  createWriter(context: SinkContext): SinkWriter<T> {
    const store = context.collected;
    if (store === undefined) throw new Error("CollectSink runs only inside eddy's runtime");
    let records = store.get(context.operatorUid) as T[] | undefined;
    if (records === undefined) store.set(context.operatorUid, (records = []));
    const target = records;
    return {
      write: (value: T) => {
        target.push(value);
      },
      flush: () => {},
      close: () => {},
    };
  }
}
