/**
 * A small, fast, seeded pseudo-random number generator (SplitMix32: a Weyl sequence whose state
 * is scrambled by a 32-bit finaliser, as in Steele, Lea & Flood, "Fast Splittable Pseudorandom
 * Number Generators", OOPSLA 2014). It is not cryptographic. `forRecord(seed, index)` derives a
 * generator from a seed and a record index alone, so the same record is generated whichever
 * split, subtask or restart produces it.
 */

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;

export class SeededRandom {
  private state: number;

  constructor(seed = 0) {
    this.state = mixWords(lowWord(seed), highWord(seed), 0, 0);
  }

  /** A generator that depends only on (seed, index): the per-record randomness of a generator source. */
  static forRecord(seed: number, index: number): SeededRandom {
    return new SeededRandom().reseed(seed, index);
  }

  /** Restarts this generator at the sequence `forRecord(seed, index)` starts; returns itself. */
  reseed(seed: number, index: number): this {
    this.state = mixWords(lowWord(seed), highWord(seed), lowWord(index), highWord(index));
    return this;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits (all a double can hold). */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67_108_864 + low) / TWO_POW_53;
  }

  /** A uniform integer in [0, n), for a positive integer n up to 2^53. */
  nextInt(n: number): number {
    if (!(Number.isSafeInteger(n) && n > 0))
      throw new RangeError(`nextInt needs a positive integer, got ${n}`);
    return Math.floor(this.nextFloat() * n);
  }

  /** A uniform integer in [min, max], both included. */
  nextIntBetween(min: number, max: number): number {
    if (max < min) throw new RangeError(`nextIntBetween needs min <= max, got ${min} > ${max}`);
    return min + this.nextInt(max - min + 1);
  }

  /** A uniform float in [min, max). */
  nextFloatBetween(min: number, max: number): number {
    return min + this.nextFloat() * (max - min);
  }

  /** True with probability p. */
  nextBoolean(p = 0.5): boolean {
    return this.nextFloat() < p;
  }

  /** A normally distributed float (Box-Muller). */
  nextGaussian(mean = 0, standardDeviation = 1): number {
    // 1 - u keeps the logarithm away from log(0).
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return mean + standardDeviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick needs a non-empty array");
    return items[this.nextInt(items.length)];
  }
}

// Integers up to 2^53 do not fit the 32-bit arithmetic below, so each is hashed as two words.
function lowWord(n: number): number {
  return n >>> 0;
}

function highWord(n: number): number {
  return Math.floor(n / TWO_POW_32) | 0;
}

/** MurmurHash3's block mixing over four words, then its finaliser: every input bit moves the state. */
function mixWords(a: number, b: number, c: number, d: number): number {
  let h = 0x9747b28c;
  h = mixBlock(h, a);
  h = mixBlock(h, b);
  h = mixBlock(h, c);
  h = mixBlock(h, d);
  h ^= 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
