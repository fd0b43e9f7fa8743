/**
 * The fingerprint of a compiled NFA: a short hash of its shape (states, edges, windows). Every
 * key's partial matches carry it, so that partial matches restored into another pattern's NFA
 * are refused instead of being run through states that mean something else.
 */
import type { NfaState } from "./compiled-nfa.ts";

/** A short hash of the graph's shape (states, edges, windows): kept with every key's partial matches. */
export function fingerprint(states: readonly NfaState[], windowTime: number): string {
  const parts = states.map(
    (s) =>
      `${s.name}/${s.type}/${s.previousAndCurrent ?? ""}[${s.edges.map((e) => `${e.action}>${e.target.index}`).join(",")}]`,
  );
  const text = `${windowTime}|${parts.join(";")}`;
  // two 32-bit FNV-1a hashes with different offsets: 64 bits, compared in one go per record
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}
