/**
 * How progress numbers read: counts with thousands separators, durations in s/m/h, watermarks as
 * ISO times when they look like epoch milliseconds, and a text progress bar. Pure functions.
 */

const countFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return countFormat.format(Math.round(n));
}

/** Epoch milliseconds between these years read as times; other watermarks as plain numbers. */
const EPOCH_FROM = Date.UTC(2000, 0, 1);
const EPOCH_TO = Date.UTC(2100, 0, 1);

/** `-` before the first watermark, `end` after the last, an ISO time for epoch millis. */
export function formatWatermark(watermark: number | null | undefined): string {
  if (watermark === Number.POSITIVE_INFINITY) return "end";
  if (watermark === null || watermark === undefined || !Number.isFinite(watermark)) return "-";
  if (watermark >= EPOCH_FROM && watermark < EPOCH_TO) return new Date(watermark).toISOString();
  return formatCount(watermark);
}

/** 12345 → "12.3s", 125000 → "2m 05s", 3725000 → "1h 02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad2(Math.floor(seconds / 60) % 60)}m`;
}

/** A coarser duration for estimates: whole seconds, "7s", "2m 05s". */
export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 60_000) return `${Math.ceil(ms / 1000)}s`;
  return formatDuration(ms);
}

/** `[██████░░░░]` for a fraction in [0, 1], `width` cells between the brackets. */
export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

/** 0.6123 → "61.2%". */
export function formatPercent(fraction: number): string {
  return `${(Math.min(1, Math.max(0, fraction)) * 100).toFixed(1)}%`;
}

/** Pads or cuts `text` to exactly `width` characters (cut text ends in "…"). */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  if (text.length > width) return width === 1 ? "…" : `${text.slice(0, width - 1)}…`;
  return align === "left" ? text.padEnd(width) : text.padStart(width);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
