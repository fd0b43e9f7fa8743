/** Placeholder until the window operator lands. */
import type { Key, KeySelector } from "../../api/functions.ts";
import type { WindowSpec } from "../../plan/logical-plan.ts";
import type { OneInputOperator } from "../operator.ts";

export function createWindowOperator(_keySelector: KeySelector<any, Key>, _spec: WindowSpec): OneInputOperator<unknown> {
  throw new Error("windows: not yet implemented");
}
