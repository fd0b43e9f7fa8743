/**
 * After-match skip strategies, as a pattern declares them: when a match is emitted, which other
 * partial matches survive. The NFA applies them (nfa/after-match.ts).
 *
 * Events are numbered per key in the order the matcher sees them (timestamp order, ties in
 * arrival order), and a partial match is known by the number of its first event. With any
 * strategy but noSkip, matches are emitted in the order of their first events, and a completed
 * match waits until no partial match that started earlier is still alive; then every partial
 * or completed match whose first event is before the strategy's "pruning point" is discarded:
 *
 * - noSkip: nothing is discarded.
 * - skipToNext: those that started at the match's first event.
 * - skipPastLastEvent: those that started at or before the match's last event.
 * - skipToFirst(stage) / skipToLast(stage): those that started before the first / last event of
 *   `stage` in the match. When the match has no event for `stage` nothing is discarded, unless
 *   `throwOnMiss` asked for an error.
 */
export type AfterMatchSkipStrategy =
  | { readonly kind: "no-skip" }
  | { readonly kind: "skip-to-next" }
  | { readonly kind: "skip-past-last-event" }
  | { readonly kind: "skip-to-first"; readonly stage: string; readonly throwOnMiss: boolean }
  | { readonly kind: "skip-to-last"; readonly stage: string; readonly throwOnMiss: boolean };

export const noSkip = (): AfterMatchSkipStrategy => ({ kind: "no-skip" });
export const skipToNext = (): AfterMatchSkipStrategy => ({ kind: "skip-to-next" });
export const skipPastLastEvent = (): AfterMatchSkipStrategy => ({ kind: "skip-past-last-event" });
export const skipToFirst = (
  stage: string,
  options: { throwOnMiss?: boolean } = {},
): AfterMatchSkipStrategy => ({
  kind: "skip-to-first",
  stage,
  throwOnMiss: options.throwOnMiss ?? false,
});
export const skipToLast = (
  stage: string,
  options: { throwOnMiss?: boolean } = {},
): AfterMatchSkipStrategy => ({
  kind: "skip-to-last",
  stage,
  throwOnMiss: options.throwOnMiss ?? false,
});

export const SkipStrategies = { noSkip, skipToNext, skipPastLastEvent, skipToFirst, skipToLast } as const;

export function describeSkipStrategy(strategy: AfterMatchSkipStrategy): string {
  switch (strategy.kind) {
    case "no-skip":
      return "noSkip()";
    case "skip-to-next":
      return "skipToNext()";
    case "skip-past-last-event":
      return "skipPastLastEvent()";
    case "skip-to-first":
      return `skipToFirst("${strategy.stage}")`;
    case "skip-to-last":
      return `skipToLast("${strategy.stage}")`;
  }
}
