/**
 * A harness for a keyed one-input operator (keyed process function, rolling reduce, window): a
 * one-input harness whose operator reads keyed state and timers, with the key type known so that
 * tests read a key's state with a typed key.
 */
import type { Key, KeySelector } from "@eddy/core";
import type { OneInputOperator } from "@eddy/core/internal";
import type { HarnessContext } from "./harness-context.ts";
import { OneInputOperatorHarness } from "./one-input-operator-harness.ts";
import type { KeyedStateAccess } from "./operator-harness-base.ts";

export class KeyedOperatorHarness<K extends Key, IN, OUT> extends OneInputOperatorHarness<IN, OUT> {
  /** Prefer the `OperatorHarness.for*` factories. */
  constructor(
    operator: OneInputOperator<IN>,
    env: HarnessContext,
    readonly keySelector: KeySelector<IN, K>,
  ) {
    super(operator, env);
  }

  override withKey<R>(key: K, fn: (state: KeyedStateAccess) => R): R {
    return super.withKey(key, fn);
  }

  /** Keys with an entry in the keyed state `name`. */
  override stateKeys(name: string): K[] {
    return super.stateKeys(name) as K[];
  }
}
