/**
 * The physical plan as a person reads it: chains (tasks), their operators with uids and
 * parallelism, and the exchanges between them, as text and as a Mermaid flowchart.
 */
import type { PhysicalPlan } from "./physical-plan.ts";

export function explainPlan(plan: PhysicalPlan): string {
  const lines: string[] = [];
  const o = plan.options;
  lines.push(
    `job '${plan.jobName}': ${plan.vertices.length} task chain(s), ${plan.slots} slot(s), maxParallelism ${o.maxParallelism}`,
  );
  for (const vertex of plan.vertices) {
    lines.push(`chain ${vertex.id} (parallelism ${vertex.parallelism})`);
    for (const input of vertex.inputs)
      lines.push(
        `  <- ${input.type} from chain ${input.fromVertex} ('${plan.nodes[input.from].name}'` +
          `${input.sideOutput ? ` side output '${input.sideOutput}'` : ""})${input.inputIndex === 1 ? " as input 2" : ""}`,
      );
    vertex.nodes.forEach((id, i) => {
      const node = plan.nodes[id];
      const keyed = node.keySelector ? ", keyed" : "";
      const edge = plan.chainEdges.find((e) => e.to === id);
      const via =
        i === 0 ? "" : edge?.sideOutput ? ` (side output '${edge.sideOutput}' of #${edge.from})` : "";
      lines.push(
        `  ${i === 0 ? "*" : "->"} #${id} ${node.name} [${node.spec.kind}${keyed}] uid=${node.uid}${via}`,
      );
    });
  }
  return lines.join("\n");
}

export function planToMermaid(plan: PhysicalPlan): string {
  const lines = ["flowchart LR"];
  const label = (s: string) => s.replace(/"/g, "'");
  for (const vertex of plan.vertices) {
    lines.push(`  subgraph chain${vertex.id}["chain ${vertex.id} x${vertex.parallelism}"]`);
    for (const id of vertex.nodes) {
      const node = plan.nodes[id];
      lines.push(`    n${id}["${label(node.name)}<br/>${label(node.uid)}"]`);
    }
    lines.push("  end");
  }
  for (const edge of plan.chainEdges)
    lines.push(`  n${edge.from} -->${edge.sideOutput ? `|${label(edge.sideOutput)}|` : ""} n${edge.to}`);
  for (const ex of plan.exchanges)
    lines.push(`  n${ex.from} ==>|${ex.type}${ex.sideOutput ? ` ${label(ex.sideOutput)}` : ""}| n${ex.to}`);
  return lines.join("\n");
}
