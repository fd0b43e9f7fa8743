/**
 * A sink that prints each record on its own line (Flink's PrintSink), for examples and debugging.
 * Strings print as they are, other values as JSON. Lines are prefixed with `prefix> `, and with the
 * subtask number (1-based, as Flink prints it) when the sink runs in parallel: `prefix:2> `.
 * Lines are buffered and written once per flush, not per record. Delivery guarantee: none.
 */
import type { Sink, SinkContext, SinkWriter } from "./api/index.ts";

/** Anything text can be written to; a `false` from write and a `once("drain")` mean backpressure. */
export interface PrintTarget {
  write(text: string): unknown;
  once?(event: "drain", listener: () => void): unknown;
}

export interface PrintSinkOptions<T> {
  readonly prefix?: string;
  /** "stdout" (default), "stderr", or any target (tests pass one). */
  readonly target?: "stdout" | "stderr" | PrintTarget;
  /** Turns a record into its line (default: strings as they are, other values as JSON). */
  readonly format?: (value: T) => string;
}

export class PrintSink<T> implements Sink<T> {
  readonly guarantee = "none";

  constructor(private readonly options: PrintSinkOptions<T> = {}) {}

  createWriter(context: SinkContext): SinkWriter<T> {
    const { prefix, target = "stdout", format = formatRecord } = this.options;
    const subtask = context.parallelism > 1 ? String(context.subtaskIndex + 1) : undefined;
    const label = [prefix, subtask].filter((part) => part !== undefined && part !== "").join(":");
    // Resolved here, not in the constructor, so that a redirected stdout is honoured.
    const resolved = target === "stdout" ? process.stdout : target === "stderr" ? process.stderr : target;
    return new PrintWriter<T>(resolved, label === "" ? "" : `${label}> `, format);
  }
}

class PrintWriter<T> implements SinkWriter<T> {
  private lines: string[] = [];

  constructor(
    private readonly target: PrintTarget,
    private readonly linePrefix: string,
    private readonly format: (value: T) => string,
  ) {}

  write(value: T, _timestamp: number): void {
    this.lines.push(this.linePrefix + this.format(value));
  }

  flush(_endOfInput: boolean): void | Promise<void> {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    const accepted = this.target.write(text);
    const once = this.target.once;
    if (accepted === false && once !== undefined) {
      return new Promise<void>((resolve) => {
        once.call(this.target, "drain", resolve);
      });
    }
  }

  close(): void | Promise<void> {
    return this.flush(true);
  }
}

/**
 * Strings and bigints as they are, other values as JSON (bigints inside as strings); what JSON
 * cannot write (undefined, cycles) via String.
 */
export function formatRecord(value: unknown): string {
  if (typeof value === "string" || typeof value === "bigint") return String(value);
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    if (json !== undefined) return json;
  } catch {
    // A cycle: fall through to String.
  }
  return String(value);
}
