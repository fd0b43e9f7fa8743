/**
 * The CEP operator's persisted state: format 2 is read as it is, format 1 (which carried the
 * operator's timer and gauge owner) is migrated to the same model without them, and a format
 * this version does not know fails with a CepStateFormatError that says why. The golden
 * savepoint test/golden/savepoints/login-attacks/initial restores format 1 end to end.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CepStateFormatError } from "@eddy/cep";
import { readEventBuffer, readNfaState, STATE_FORMAT } from "../../src/operator/persisted-state.ts";

const node = { stage: "a", event: { id: 0, ts: 5, value: { n: 1 } }, edges: [{ to: null, version: [1, 0] }] };
const partial = { state: 1, previous: node, version: [1, 0], startTs: 5, previousTs: 5, startId: 0, seq: 2 };
const start = { state: 0, previous: null, version: [2], startTs: -1, previousTs: -1, startId: -1, seq: 3 };

describe("persisted CEP state", () => {
  it("writes format 2", () => assert.equal(STATE_FORMAT, 2));

  it("reads format 2 as it is", () => {
    const value = {
      format: 2,
      partials: [partial, start],
      completed: [],
      nextEventId: 1,
      nextSeq: 4,
      graph: "g",
    };
    assert.equal(readNfaState(value, "operator 'cep'"), value);
    const buffer = { format: 2, ts: [7], events: ["e"] };
    assert.equal(readEventBuffer(buffer, "operator 'cep'"), buffer);
  });

  it("migrates format 1: the same model, without the timer and the gauge owner", () => {
    const old = {
      partials: [partial, start],
      completed: [],
      nextEventId: 1,
      nextSeq: 4,
      graph: "g",
      timer: 60_005,
      countedBy: 0.123,
    };
    const migrated = readNfaState(old, "operator 'cep'");
    assert.deepEqual(migrated, {
      format: 2,
      partials: [partial, start],
      completed: [],
      nextEventId: 1,
      nextSeq: 4,
      graph: "g",
    });
    // the shared buffer's nodes are the same objects (shared between partial matches)
    assert.equal(migrated.partials[0].previous, node);
    assert.deepEqual(readEventBuffer({ ts: [7, 9], events: ["e", "f"], countedBy: 0.5 }, "operator 'cep'"), {
      format: 2,
      ts: [7, 9],
      events: ["e", "f"],
    });
    // a format 1 value without the bookkeeping (a key never counted) is format 1 too
    assert.equal(readEventBuffer({ ts: [], events: [] }, "x").format, 2);
  });

  it("refuses a newer format and values that are not CEP state, naming the operator", () => {
    assert.throws(
      () => readNfaState({ format: 3, partials: [] }, "operator 'cep'"),
      (e: unknown) =>
        e instanceof CepStateFormatError &&
        e.code === "EDDY_CEP_STATE_FORMAT" &&
        /operator 'cep'.*format 3, written by a newer eddy/.test(e.message),
    );
    for (const value of [42, "text", null, { count: 1 }])
      assert.throws(
        () => readEventBuffer(value, "operator 'cep'"),
        (e: unknown) => e instanceof CepStateFormatError && /not CEP state/.test(e.message),
      );
  });
});
