/**
 * An order-independent digest of a query's output rows: each row is hashed field by field to 32
 * bits, and the digest is the row count with two sums (mod 2^32) of differently scrambled row
 * hashes. Sums commute, so the digest of a multiset of rows is the same in any order and can be
 * computed in pieces (one per subtask or thread) and combined: it compares what hashing the
 * sorted rows would compare, without keeping or sorting them. Not cryptographic: a checksum that
 * tells implementations apart when they disagree.
 */

export interface DigestState {
  readonly rows: number;
  readonly sumA: number;
  readonly sumB: number;
}

const float64 = new Float64Array(1);
const words = new Uint32Array(float64.buffer);
const TWO_POW_32 = 4_294_967_296;
const SAMPLED_UNITS = 16;

export class RowDigest {
  rows = 0;
  private sumA = 0;
  private sumB = 0;
  private h = 0;

  /** Starts a row. */
  begin(): this {
    this.h = 0x3c6ef372;
    return this;
  }

  /** Adds a number field: integers by value (up to 2^53), other numbers by their bits. */
  num(x: number): this {
    if (Number.isSafeInteger(x)) {
      this.h = mixWord(this.h, x >>> 0);
      this.h = mixWord(this.h, Math.floor(x / TWO_POW_32) | 0);
    } else {
      float64[0] = x;
      this.h = mixWord(mixWord(this.h, words[0] ^ 0x7ff00000), words[1]);
    }
    return this;
  }

  /**
   * Adds a string field: its length and its UTF-16 units, all of them up to 16 and 16 evenly
   * spaced ones (first and last included) beyond. Sampling keeps the digest from dominating the
   * cheap queries (a Nexmark bid carries ~70 characters of padding); implementations that
   * disagree do so on which rows and numbers they emit, while strings pass through untouched.
   */
  str(s: string): this {
    const n = s.length;
    // FNV-1a steps (one multiply per unit); the row's finaliser does the avalanche.
    let h = Math.imul(this.h ^ n, 0x01000193);
    if (n <= SAMPLED_UNITS) for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    else {
      const step = (n - 1) / (SAMPLED_UNITS - 1);
      let at = 0;
      for (let i = 0; i < SAMPLED_UNITS; i++, at += step)
        h = Math.imul(h ^ s.charCodeAt(Math.round(at)), 0x01000193);
    }
    this.h = h;
    return this;
  }

  /** Ends the row and adds it to the digest. */
  end(): void {
    const h = finalise(this.h);
    this.sumA = (this.sumA + h) | 0;
    this.sumB = (this.sumB + finalise(h ^ 0x61c88647)) | 0;
    this.rows++;
  }

  state(): DigestState {
    return { rows: this.rows, sumA: this.sumA, sumB: this.sumB };
  }

  /** Adds another digest's rows (another subtask's part of the same output). */
  add(other: DigestState): this {
    this.rows += other.rows;
    this.sumA = (this.sumA + other.sumA) | 0;
    this.sumB = (this.sumB + other.sumB) | 0;
    return this;
  }

  /** "rows:hash", e.g. "1234:0f3a...". */
  toString(): string {
    return formatDigest(this.state());
  }
}

export function formatDigest(state: DigestState): string {
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  return `${state.rows}:${hex(state.sumA)}${hex(state.sumB)}`;
}

/** The digest of several parts of one output. */
export function combineDigests(parts: readonly DigestState[]): string {
  const digest = new RowDigest();
  for (const part of parts) digest.add(part);
  return digest.toString();
}

/** MurmurHash3's block step. */
function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser. */
function finalise(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
