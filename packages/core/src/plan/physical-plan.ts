/**
 * The planner: turns a job's logical plan into the physical plan that runs. It resolves
 * parallelism, checks the definition (and rejects what cannot run, saying what to change),
 * fuses operators connected one-to-one with equal parallelism into chains (a chain runs as one
 * task, records pass by plain function calls), and turns every other edge into an exchange.
 * Pure: it reads the plan and returns data.
 */
import type { Key, KeySelector } from "../api/functions.ts";
import type { Job, ResolvedJobOptions } from "../api/job.ts";
import { KEYED_KINDS, type LogicalEdge, type LogicalNode, TWO_INPUT_KINDS } from "../api/logical-plan.ts";
import { DEAD_LETTER } from "../api/output-tag.ts";
import { JobDefinitionError } from "../errors.ts";

export type ExchangeType = "forward" | "hash" | "rebalance" | "broadcast";

/** An edge inside a chain: records pass by a function call. */
export interface ChainEdge {
  readonly from: number;
  readonly sideOutput?: string;
  readonly to: number;
}

/** An edge between two vertices: records pass in batches through channels. */
export interface Exchange {
  readonly id: number;
  readonly from: number;
  readonly sideOutput?: string;
  readonly to: number;
  readonly fromVertex: number;
  readonly toVertex: number;
  readonly type: ExchangeType;
  readonly inputIndex: 0 | 1;
  readonly keySelector?: KeySelector<any, Key>;
}

/** A chain of operators, run by `parallelism` tasks. */
export interface JobVertex {
  readonly id: number;
  /** Node ids in the chain, in topological order; the first is the head. */
  readonly nodes: number[];
  readonly parallelism: number;
  readonly inputs: Exchange[];
  readonly outputs: Exchange[];
}

export interface PhysicalPlan {
  readonly jobName: string;
  readonly options: ResolvedJobOptions;
  readonly nodes: readonly LogicalNode[];
  readonly parallelism: readonly number[];
  readonly vertexOf: readonly number[];
  readonly vertices: readonly JobVertex[];
  readonly exchanges: readonly Exchange[];
  readonly chainEdges: readonly ChainEdge[];
  /** Largest parallelism of any vertex: the number of slots (threads) the job needs. */
  readonly slots: number;
}

export interface PlanOverrides {
  /** Replaces the job's default parallelism (`eddy run --parallelism`). */
  parallelism?: number;
}

export function planJob(job: Job, overrides: PlanOverrides = {}): PhysicalPlan {
  const options: ResolvedJobOptions = { ...job.options };
  if (overrides.parallelism !== undefined) {
    if (!Number.isInteger(overrides.parallelism) || overrides.parallelism < 1)
      throw new JobDefinitionError(`parallelism must be a positive integer, not ${overrides.parallelism}`);
    if (overrides.parallelism > options.maxParallelism)
      throw new JobDefinitionError(
        `parallelism ${overrides.parallelism} exceeds maxParallelism ${options.maxParallelism}: raise maxParallelism`,
      );
    options.parallelism = overrides.parallelism;
  }
  const nodes = job.nodes;
  const edges = resolveEdges(nodes);
  validate(job, nodes, edges);
  const order = topologicalOrder(nodes, edges);
  const parallelism = nodes.map((n) => n.parallelism ?? options.parallelism);
  for (const n of nodes)
    if (parallelism[n.id] > options.maxParallelism)
      throw new JobDefinitionError(
        `operator '${n.name}' (uid '${n.uid}') has parallelism ${parallelism[n.id]} > maxParallelism ` +
          `${options.maxParallelism}: lower it or raise maxParallelism`,
      );

  const vertexOf: number[] = new Array(nodes.length).fill(-1);
  const vertices: JobVertex[] = [];
  const chainEdges: ChainEdge[] = [];
  const exchanges: Exchange[] = [];

  for (const node of order) {
    const inputs = edges[node.id];
    const only = inputs.length === 1 ? inputs[0] : undefined;
    if (only !== undefined && isChainable(only, node, parallelism)) {
      const vertex = vertexOf[only.from];
      vertexOf[node.id] = vertex;
      vertices[vertex].nodes.push(node.id);
      chainEdges.push({ from: only.from, sideOutput: only.sideOutput, to: node.id });
      continue;
    }
    const vertex: JobVertex = {
      id: vertices.length,
      nodes: [node.id],
      parallelism: parallelism[node.id],
      inputs: [],
      outputs: [],
    };
    vertices.push(vertex);
    vertexOf[node.id] = vertex.id;
    for (const edge of inputs) {
      const type = exchangeType(edge, node, parallelism[edge.from], parallelism[node.id], nodes);
      const exchange: Exchange = {
        id: exchanges.length,
        from: edge.from,
        sideOutput: edge.sideOutput,
        to: node.id,
        fromVertex: vertexOf[edge.from],
        toVertex: vertex.id,
        type,
        inputIndex: edge.inputIndex,
        keySelector: edge.keySelector,
      };
      exchanges.push(exchange);
      vertex.inputs.push(exchange);
      vertices[exchange.fromVertex].outputs.push(exchange);
    }
  }
  return {
    jobName: job.name,
    options,
    nodes,
    parallelism,
    vertexOf,
    vertices,
    exchanges,
    chainEdges,
    slots: Math.max(...vertices.map((v) => v.parallelism)),
  };
}

/** Expands the dead-letter stream (node -1) into an edge from every operator upstream of it. */
function resolveEdges(nodes: readonly LogicalNode[]): LogicalEdge[][] {
  const downstreamOfDeadLetters = new Set<number>();
  for (const node of nodes)
    if (node.inputs.some((e) => e.from === -1 || downstreamOfDeadLetters.has(e.from)))
      downstreamOfDeadLetters.add(node.id);
  return nodes.map((node) => {
    const result: LogicalEdge[] = [];
    for (const edge of node.inputs) {
      if (edge.from !== -1) {
        result.push(edge);
        continue;
      }
      for (const upstream of nodes)
        if (!downstreamOfDeadLetters.has(upstream.id))
          result.push({ ...edge, from: upstream.id, sideOutput: DEAD_LETTER.id });
    }
    return result;
  });
}

function isChainable(edge: LogicalEdge, node: LogicalNode, parallelism: readonly number[]): boolean {
  if (node.spec.kind === "source" || TWO_INPUT_KINDS.has(node.spec.kind)) return false;
  if (parallelism[edge.from] !== parallelism[node.id]) return false;
  return edge.partitioning === "forward" || edge.partitioning === "auto";
}

function exchangeType(
  edge: LogicalEdge,
  to: LogicalNode,
  fromP: number,
  toP: number,
  nodes: readonly LogicalNode[],
): ExchangeType {
  switch (edge.partitioning) {
    case "auto":
      return fromP === toP ? "forward" : "rebalance";
    case "forward":
      if (fromP !== toP)
        throw new JobDefinitionError(
          `forward() from '${nodes[edge.from].name}' (parallelism ${fromP}) to '${to.name}' ` +
            `(parallelism ${toP}) needs equal parallelism: use rebalance() or set the same parallelism`,
        );
      return "forward";
    default:
      return edge.partitioning;
  }
}

function validate(job: Job, nodes: readonly LogicalNode[], edges: readonly LogicalEdge[][]): void {
  if (nodes.length === 0) throw new JobDefinitionError(`job '${job.name}' is empty: add a source and a sink`);
  if (!nodes.some((n) => n.spec.kind === "sink"))
    throw new JobDefinitionError(
      `job '${job.name}' has no sink, so it would compute nothing visible: end a stream with sinkTo(), print() or collect()`,
    );
  const uids = new Map<string, LogicalNode>();
  for (const node of nodes) {
    const other = uids.get(node.uid);
    if (other)
      throw new JobDefinitionError(
        `uid '${node.uid}' is used by '${other.name}' and by '${node.name}': each operator needs its own uid`,
      );
    uids.set(node.uid, node);
  }
  for (const node of nodes) {
    const inputs = edges[node.id];
    const where = `operator '${node.name}' (uid '${node.uid}')`;
    if (node.spec.kind === "source") {
      if (inputs.length > 0) throw new JobDefinitionError(`${where} is a source but has inputs`);
      continue;
    }
    if (inputs.length === 0) throw new JobDefinitionError(`${where} has no input`);
    const keyed = KEYED_KINDS.has(node.spec.kind);
    if (keyed && (node.keySelector === undefined || inputs.some((e) => e.partitioning !== "hash")))
      throw new JobDefinitionError(
        `${where} uses keyed state or timers but its input is not keyed: call keyBy() right before it`,
      );
    if (TWO_INPUT_KINDS.has(node.spec.kind) && !inputs.some((e) => e.inputIndex === 1))
      throw new JobDefinitionError(`${where} needs two inputs: build it with connect()`);
    if (
      node.spec.kind === "process" &&
      "onTimer" in node.spec.fn &&
      typeof node.spec.fn.onTimer === "function"
    )
      throw new JobDefinitionError(
        `${where} has onTimer, but timers need a keyed stream: call keyBy() before process()`,
      );
    if (node.spec.kind === "window" && node.spec.window.assigner.kind === "session") {
      const fn = node.spec.window.function;
      if (fn.kind === "aggregate" && typeof fn.aggregate.merge !== "function")
        throw new JobDefinitionError(
          `${where}: session windows merge, so the AggregateFunction needs merge()`,
        );
    }
  }
}

/** Nodes with every input before its consumer; rejects cycles, naming the operators on one. */
function topologicalOrder(nodes: readonly LogicalNode[], edges: readonly LogicalEdge[][]): LogicalNode[] {
  const order: LogicalNode[] = [];
  const state = new Uint8Array(nodes.length); // 0 new, 1 on stack, 2 done
  const visit = (id: number, path: number[]): void => {
    if (state[id] === 2) return;
    if (state[id] === 1) {
      const cycle = path
        .slice(path.indexOf(id))
        .concat(id)
        .map((n) => `'${nodes[n].name}'`);
      throw new JobDefinitionError(`the job has a cycle: ${cycle.join(" -> ")}; streams must flow one way`);
    }
    state[id] = 1;
    path.push(id);
    for (const edge of edges[id]) {
      if (edge.from < 0 || edge.from >= nodes.length)
        throw new JobDefinitionError(
          `operator '${nodes[id].name}' reads from unknown operator #${edge.from}`,
        );
      visit(edge.from, path);
    }
    path.pop();
    state[id] = 2;
    order.push(nodes[id]);
  };
  for (const node of nodes) visit(node.id, []);
  return order;
}
