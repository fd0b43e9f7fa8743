/**
 * Nexmark events as NDJSON: one JSON object per line, `type` first, times in epoch ms, exactly
 * the objects `NexmarkGenerator.event(k)` returns. Anyone can then check a query's output with
 * their own code. `eddy nexmark generate` writes this.
 */
import { NexmarkGenerator, type NexmarkOptions } from "./generator.ts";

export interface NexmarkNdjsonOptions extends NexmarkOptions {
  /** Number of events to write. */
  readonly events: number;
  /** First event number (default 0): any slice of the stream can be written alone. */
  readonly from?: number;
}

/** Where the lines go: a Node Writable, or anything with its `write` (and, to wait for drain, `once`). */
export interface NdjsonOutput {
  write(chunk: string): boolean;
  once?(event: "drain" | "close" | "error", listener: (...args: any[]) => void): unknown;
  off?(event: "drain" | "close" | "error", listener: (...args: any[]) => void): unknown;
}

/** Lines per chunk: large enough to amortise the stream, small enough to keep memory flat. */
const LINES_PER_CHUNK = 4096;

/** The events `from` .. `from + events - 1` as NDJSON text, a few thousand lines per chunk. */
export function* nexmarkNdjsonChunks(options: NexmarkNdjsonOptions): Generator<string, void, undefined> {
  const { events } = options;
  const from = options.from ?? 0;
  if (!(Number.isSafeInteger(events) && events >= 0))
    throw new RangeError(`events must be a non-negative integer, got ${events}`);
  if (!(Number.isSafeInteger(from) && from >= 0))
    throw new RangeError(`from must be a non-negative integer, got ${from}`);
  if (!Number.isSafeInteger(from + events))
    throw new RangeError(`from + events must be a safe integer, got ${from} + ${events}`);
  const generator = new NexmarkGenerator(options);
  const end = from + events;
  let chunk = "";
  let lines = 0;
  for (let k = from; k < end; k++) {
    chunk += `${JSON.stringify(generator.event(k))}\n`;
    if (++lines === LINES_PER_CHUNK) {
      yield chunk;
      chunk = "";
      lines = 0;
    }
  }
  if (lines > 0) yield chunk;
}

/** Writes the events as NDJSON, waiting for `drain` whenever the output asks to. */
export async function writeNexmarkNdjson(options: NexmarkNdjsonOptions, output: NdjsonOutput): Promise<void> {
  for (const chunk of nexmarkNdjsonChunks(options))
    if (!output.write(chunk) && output.once !== undefined) await drained(output);
}

function drained(output: NdjsonOutput): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      output.off?.("drain", onDrain);
      output.off?.("error", onError);
      output.off?.("close", onDrain);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    output.once!("drain", onDrain);
    output.once!("close", onDrain);
    output.once!("error", onError);
  });
}
