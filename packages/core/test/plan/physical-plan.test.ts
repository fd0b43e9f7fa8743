// The planner: which operators chain, which edges become exchanges of which type, and the
// plan as text and Mermaid.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  explainPlan,
  Job,
  OutputTag,
  planJob,
  planToMermaid,
  TumblingEventTimeWindows,
} from "../../src/index.ts";

function sampleJob(parallelism = 2) {
  const job = Job.create({ name: "plan", parallelism });
  const late = new OutputTag<number>("late");
  const windowed = job
    .fromGenerator({ count: 10, generate: (i) => i })
    .uid("src")
    .map((n) => n * 2)
    .uid("double")
    .filter((n) => n > 2)
    .uid("positive")
    .keyBy((n) => n % 3)
    .window(TumblingEventTimeWindows.of(10))
    .sideOutputLateData(late)
    .reduce((a, b) => a + b)
    .uid("sum");
  windowed.print().uid("print");
  windowed.getSideOutput(late).rebalance().collect().withUid("late-out");
  return job;
}

test("operators between exchanges chain; keyBy, rebalance and parallelism changes make exchanges", () => {
  const plan = planJob(sampleJob());
  const chains = plan.vertices.map((v) => v.nodes.map((id) => plan.nodes[id].uid));
  assert.deepEqual(chains, [["src", "double", "positive"], ["sum", "print"], ["late-out"]]);
  const exchanges = plan.exchanges.map((e) => [
    plan.nodes[e.from].uid,
    plan.nodes[e.to].uid,
    e.type,
    e.sideOutput,
  ]);
  assert.deepEqual(exchanges, [
    ["positive", "sum", "hash", undefined],
    ["sum", "late-out", "rebalance", "late"],
  ]);
  assert.equal(plan.slots, 2);
});

test("a parallelism change on a forward edge becomes a rebalance; the override replaces the default", () => {
  const job = Job.create({ name: "p" });
  job
    .fromElements(1, 2, 3)
    .map((n) => n)
    .uid("m")
    .collect()
    .withUid("out");
  const plan = planJob(job, { parallelism: 3 });
  assert.deepEqual(
    plan.vertices.map((v) => [v.parallelism, v.nodes.map((id) => plan.nodes[id].uid)]),
    [
      [1, ["source-0"]],
      [3, ["m", "out"]],
    ],
  );
  assert.equal(plan.exchanges[0].type, "rebalance");
});

test("explain and Mermaid name every chain, operator uid and exchange", () => {
  const plan = planJob(sampleJob());
  const text = explainPlan(plan);
  for (const uid of ["src", "double", "positive", "sum", "print", "late-out"])
    assert.match(text, new RegExp(`uid=${uid}`));
  assert.match(text, /<- hash from chain 0/);
  assert.match(
    text,
    /<- rebalance from chain 1 \('window TumblingEventTimeWindows\(10\)' side output 'late'\)/,
  );
  const mermaid = planToMermaid(plan);
  assert.match(mermaid, /^flowchart LR/);
  assert.match(mermaid, /n2 ==>\|hash\| n3/);
  assert.match(mermaid, /n3 ==>\|rebalance late\| n5/);
});
