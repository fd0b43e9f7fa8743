/**
 * Writes Nexmark events as NDJSON (one JSON object per line, `type` first, times in epoch ms), so
 * anyone can check a query's output with their own code. `eddy nexmark generate` calls this;
 * `node --import tsx bench/nexmark/generate.ts --events N --seed S` does too.
 */
import type { Writable } from "node:stream";
import { NexmarkGenerator, type NexmarkOptions } from "./generator.ts";

export interface NexmarkNdjsonOptions extends NexmarkOptions {
  /** Number of events to write. */
  readonly events: number;
  /** First event number (default 0): any slice of the stream can be written alone. */
  readonly from?: number;
}

/** Lines per write: large enough to amortise the stream, small enough to keep memory flat. */
const LINES_PER_CHUNK = 4096;

export async function writeNexmarkNdjson(options: NexmarkNdjsonOptions, stream: Writable): Promise<void> {
  const { events } = options;
  const from = options.from ?? 0;
  if (!(Number.isSafeInteger(events) && events >= 0))
    throw new RangeError(`events must be a non-negative integer, got ${events}`);
  if (!(Number.isSafeInteger(from) && from >= 0))
    throw new RangeError(`from must be a non-negative integer, got ${from}`);
  const generator = new NexmarkGenerator(options);
  const end = from + events;
  let chunk = "";
  let lines = 0;
  for (let k = from; k < end; k++) {
    chunk += `${JSON.stringify(generator.event(k))}\n`;
    if (++lines === LINES_PER_CHUNK || k === end - 1) {
      if (!stream.write(chunk)) await drained(stream);
      chunk = "";
      lines = 0;
    }
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("error", onError);
      stream.off("close", onDrain);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.once("drain", onDrain);
    stream.once("close", onDrain);
    stream.once("error", onError);
  });
}
