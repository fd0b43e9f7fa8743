/** Statistics and number formats of the benchmark's tables. */

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Events per second as "2.48 M" or "379 K". */
export const fmtRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1e3)} K`;

export const fmtRatio = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2);

/** Milliseconds: one decimal below 10 ms, whole above. */
export const fmtMs = (n: number): string => (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString("en-US"));

export const fmtMb = (bytes: number): string => (bytes / 1e6).toFixed(1);
