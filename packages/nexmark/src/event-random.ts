/**
 * The Nexmark generator's randomness: a generator restarted for every event from
 * (globalSeed, eventId) alone, so any event can be regenerated without the ones before it (the
 * property that makes the source resumable and the same at any parallelism). One object is
 * reseeded per event, never allocated. The state is scrambled from the two words of each input by
 * MurmurHash3's mixing; numbers come from SplitMix32 (a Weyl sequence through a 32-bit finaliser).
 * Not cryptographic, and not Java's Random: the stream matches nexmark-flink's distributions, not
 * its exact values.
 */

const TWO_POW_32 = 4_294_967_296;

export class EventRandom {
  private state = 0;

  /** Restarts the sequence for one event; returns itself. */
  reseed(seed: number, eventId: number): this {
    let h = 0x2545f491 ^ mix(seed >>> 0) ^ Math.imul(mix(Math.floor(seed / TWO_POW_32) | 0), 3);
    h = Math.imul(h ^ mix(eventId >>> 0), 0x9e3779b1);
    h ^= mix((Math.floor(eventId / TWO_POW_32) | 0) ^ 0x5bd1e995);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    this.state = h | 0;
    return this;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s = (this.state = (this.state + 0x9e3779b9) | 0);
    let z = Math.imul(s ^ (s >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  nextDouble(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, n) for 0 < n <= 2^21 (exact), or larger n (slightly coarse). */
  nextInt(n: number): number {
    return Math.floor(this.nextUint32() * (n / TWO_POW_32));
  }
}

/** MurmurHash3's per-word mixing. */
function mix(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}
