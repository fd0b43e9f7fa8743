/**
 * Shows a running job's progress on stderr, in one of three modes:
 * - "live": a block redrawn every quarter second, for a terminal;
 * - "log": a plain line every few seconds, for files and CI logs;
 * - "none": nothing (`--quiet`).
 * It receives the runtime's progress samples (`onProgress`) and, at the end, prints the summary.
 * What the text says is decided by the pure functions of progress-view.ts.
 */
import type { JobProgress } from "@eddy/core";
import { type JobSummary, renderProgressBlock, renderProgressLine, renderSummary } from "./progress-view.ts";
import { TerminalBlock, type WritableText } from "./terminal-block.ts";

export type ProgressMode = "live" | "log" | "none";

export interface ProgressStreams {
  readonly stderr: WritableText & { readonly isTTY?: boolean; readonly columns?: number };
  /** The job's own output; kept above the live block when it shares the terminal. */
  readonly stdout?: WritableText & { readonly isTTY?: boolean };
}

/** "live" on a terminal, "log" otherwise, "none" when quiet. */
export function progressModeFor(streams: ProgressStreams, quiet: boolean): ProgressMode {
  if (quiet) return "none";
  return streams.stderr.isTTY === true ? "live" : "log";
}

const LIVE_INTERVAL_MS = 250;
const LOG_SAMPLE_INTERVAL_MS = 1000;
const LOG_LINE_INTERVAL_MS = 5000;

export class ProgressReporter {
  private block: TerminalBlock | undefined;
  /** The sample the next rates are measured from. */
  private previous: JobProgress | undefined;
  private lastLineAt = 0;

  constructor(
    readonly mode: ProgressMode,
    private readonly streams: ProgressStreams,
  ) {}

  /** How often the runtime should sample progress; undefined when nothing is shown. */
  get intervalMs(): number | undefined {
    return this.mode === "live" ? LIVE_INTERVAL_MS : this.mode === "log" ? LOG_SAMPLE_INTERVAL_MS : undefined;
  }

  /** For RunOptions.onProgress; undefined when nothing is shown. */
  get onProgress(): ((progress: JobProgress) => void) | undefined {
    return this.mode === "none" ? undefined : this.report;
  }

  /** Writes a note (such as "stopping...") on stderr, above the live block. */
  note(text: string): void {
    if (this.mode !== "none") this.streams.stderr.write(`${text}\n`);
  }

  /** Writes a warning on stderr, even when quiet (warnings are not progress). */
  warn(text: string): void {
    this.streams.stderr.write(`[eddy] warning: ${text}\n`);
  }

  /** Stops redrawing and, unless quiet, prints the summary of a job that ran to its end or was stopped. */
  finish(summary: JobSummary | undefined): void {
    this.block?.detach();
    this.block = undefined;
    if (summary !== undefined && this.mode !== "none")
      this.streams.stderr.write(`${renderSummary(summary)}\n`);
  }

  private readonly report = (progress: JobProgress): void => {
    if (this.mode === "live") {
      if (this.block === undefined) {
        this.block = new TerminalBlock(this.streams.stderr);
        if (this.streams.stdout?.isTTY) this.block.keepBelow(this.streams.stdout);
      }
      this.block.draw(renderProgressBlock(this.previous, progress, this.streams.stderr.columns ?? 100));
      this.previous = progress;
    } else if (this.mode === "log") {
      if (progress.elapsedMs - this.lastLineAt < LOG_LINE_INTERVAL_MS) return;
      this.streams.stderr.write(`${renderProgressLine(this.previous, progress)}\n`);
      this.previous = progress;
      this.lastLineAt = progress.elapsedMs;
    }
  };
}
