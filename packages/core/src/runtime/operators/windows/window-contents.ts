/**
 * What a window keeps, and what the user's function sees when the window fires: one reduced
 * value (reduce), one accumulator (aggregate) or every element (process). This is the only part
 * of the window operator that knows the three function kinds; the operator stores whatever
 * `add` returns as the window's contents and hands it back to `merge` and `emit`.
 */
import type { AggregateFunction, Collector, Key, ReduceFunction } from "../../../api/functions.ts";
import type { WindowSpec } from "../../../api/logical-plan.ts";
import type { ProcessWindowFunction, WindowContext } from "../../../api/windows.ts";

export interface WindowContents {
  /** The window's contents with `value` added; `contents` is undefined for a new window. */
  add(contents: unknown, value: unknown): unknown;
  /** The contents of two merging (session) windows as one; `a` is the earlier window. */
  merge(a: unknown, b: unknown): unknown;
  /** Calls the user's function on the window's contents. */
  emit(contents: unknown, context: WindowContext<Key>, out: Collector<unknown>): void;
}

export function createWindowContents(fn: WindowSpec["function"]): WindowContents {
  switch (fn.kind) {
    case "reduce":
      return new ReducedContents(fn.reduce, fn.process);
    case "aggregate":
      return new AggregatedContents(fn.aggregate, fn.process);
    case "process":
      return new ElementContents(fn.process);
  }
}

/**
 * Emits a pre-aggregated result, through the ProcessWindowFunction when there is one. The
 * one-element array is fresh per firing: a function may keep what it is given.
 */
function emitResult(
  result: unknown,
  process: ProcessWindowFunction<any, any, Key> | undefined,
  context: WindowContext<Key>,
  out: Collector<unknown>,
): void {
  if (process === undefined) out.collect(result);
  else process.process(context, [result], out);
}

class ReducedContents implements WindowContents {
  constructor(
    private readonly reduce: ReduceFunction<unknown>,
    private readonly process: ProcessWindowFunction<any, any, Key> | undefined,
  ) {}
  add(contents: unknown, value: unknown): unknown {
    return contents === undefined ? value : this.reduce(contents, value);
  }
  merge(a: unknown, b: unknown): unknown {
    return this.reduce(a, b);
  }
  emit(contents: unknown, context: WindowContext<Key>, out: Collector<unknown>): void {
    emitResult(contents, this.process, context, out);
  }
}

class AggregatedContents implements WindowContents {
  constructor(
    private readonly aggregate: AggregateFunction<unknown, unknown, unknown>,
    private readonly process: ProcessWindowFunction<any, any, Key> | undefined,
  ) {}
  add(contents: unknown, value: unknown): unknown {
    return this.aggregate.add(value, contents === undefined ? this.aggregate.createAccumulator() : contents);
  }
  merge(a: unknown, b: unknown): unknown {
    return this.aggregate.merge(a, b);
  }
  emit(contents: unknown, context: WindowContext<Key>, out: Collector<unknown>): void {
    emitResult(this.aggregate.getResult(contents), this.process, context, out);
  }
}

/**
 * Every element, in arrival order (merged sessions: the earlier session's elements first). The
 * function gets the stored array itself, as ListState.get() does: read it, do not keep it, since
 * a late record appends to it.
 */
class ElementContents implements WindowContents {
  constructor(private readonly process: ProcessWindowFunction<any, any, Key>) {}
  add(contents: unknown, value: unknown): unknown {
    if (contents === undefined) return [value];
    (contents as unknown[]).push(value);
    return contents;
  }
  merge(a: unknown, b: unknown): unknown {
    return (a as unknown[]).concat(b as unknown[]);
  }
  emit(contents: unknown, context: WindowContext<Key>, out: Collector<unknown>): void {
    this.process.process(context, contents as unknown[], out);
  }
}
