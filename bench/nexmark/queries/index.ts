/** The suite's Nexmark queries, by name. */
import type { NexmarkQuery } from "../query.ts";
import { q0 } from "./q0.ts";
import { q1 } from "./q1.ts";
import { q2 } from "./q2.ts";
import { q3 } from "./q3.ts";
import { q4 } from "./q4.ts";
import { q5 } from "./q5.ts";
import { q7 } from "./q7.ts";
import { q8 } from "./q8.ts";
import { q11 } from "./q11.ts";

export const QUERIES: readonly NexmarkQuery[] = [q0, q1, q2, q3, q4, q5, q7, q8, q11];

export function nexmarkQuery(name: string): NexmarkQuery {
  const query = QUERIES.find((q) => q.name === name);
  if (query === undefined)
    throw new Error(
      `unknown Nexmark query '${name}'; the suite has ${QUERIES.map((q) => q.name).join(", ")}`,
    );
  return query;
}
