/**
 * Maps the plan's operator specs to operator instances. The only place that knows every kind.
 */
import type { Key, KeySelector } from "../../api/functions.ts";
import type { LogicalNode } from "../../api/logical-plan.ts";
import { EddyError } from "../../errors.ts";
import { CoProcessOperator, KeyedCoProcessOperator } from "./co-process-operators.ts";
import { KeyedProcessOperator, ReduceOperator } from "./keyed-process-operator.ts";
import type { AnyOperator } from "./operator.ts";
import { SinkOperator } from "./sink-operator.ts";
import { FilterOperator, FlatMapOperator, MapOperator, ProcessOperator } from "./stateless-operators.ts";
import { TimestampsOperator } from "./timestamps-operator.ts";
import { createWindowOperator } from "./window-operator.ts";

export interface OperatorFactoryContext {
  readonly collected: Map<string, unknown[]>;
  readonly autoWatermarkIntervalMs: number;
  /** The job option farFutureWarningMs (default one day). */
  readonly farFutureWarningMs?: number;
}

/**
 * Each subtask gets its own instance of an object-shaped user function, as Flink gives each
 * subtask its own deserialised copy: fields a function sets in open() (its state handles) are
 * then per subtask, while its methods and initial fields are read through the prototype.
 */
function instantiate<F extends object>(fn: F): F {
  return Object.create(fn) as F;
}

export function createOperator(node: LogicalNode, env: OperatorFactoryContext): AnyOperator {
  const spec = node.spec;
  switch (spec.kind) {
    case "map":
      return new MapOperator(spec.fn);
    case "filter":
      return new FilterOperator(spec.fn);
    case "flatMap":
      return new FlatMapOperator(spec.fn);
    case "process":
      return new ProcessOperator(instantiate(spec.fn));
    case "timestamps":
      return new TimestampsOperator(spec.strategy, env.autoWatermarkIntervalMs, env.farFutureWarningMs);
    case "keyed-process":
      return new KeyedProcessOperator(node.keySelector!, instantiate(spec.fn));
    case "reduce":
      return new ReduceOperator(node.keySelector!, spec.fn);
    case "window":
      return createWindowOperator(node.keySelector!, spec.window);
    case "co-process":
      return new CoProcessOperator(instantiate(spec.fn));
    case "keyed-co-process": {
      const second = node.inputs.find((e) => e.inputIndex === 1)?.keySelector as KeySelector<any, Key>;
      return new KeyedCoProcessOperator(node.keySelector!, second, instantiate(spec.fn));
    }
    case "sink":
      return new SinkOperator(spec.sink, env.collected);
    case "source":
      throw new EddyError("EDDY_INTERNAL", "sources are created by the deployment, not the operator factory");
  }
}
