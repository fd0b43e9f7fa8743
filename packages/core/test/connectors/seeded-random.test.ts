import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SeededRandom } from "../../src/connectors/seeded-random.ts";

function firstValues(random: SeededRandom, n = 8): number[] {
  return Array.from({ length: n }, () => random.nextUint32());
}

describe("SeededRandom", () => {
  it("gives the same sequence for the same (seed, index), however it was made", () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (seed, index) => {
        const a = firstValues(SeededRandom.forRecord(seed, index));
        const b = firstValues(new SeededRandom(123).reseed(seed, index));
        assert.deepEqual(a, b);
      }),
    );
  });

  it("gives different sequences to neighbouring indices and to indices 2^32 apart", () => {
    const seen = new Set<string>();
    for (const index of [0, 1, 2, 3, 2 ** 32, 2 ** 32 + 1, 2 ** 40]) {
      seen.add(firstValues(SeededRandom.forRecord(7, index), 2).join(","));
    }
    assert.equal(seen.size, 7);
    assert.notDeepEqual(firstValues(SeededRandom.forRecord(1, 5)), firstValues(SeededRandom.forRecord(2, 5)));
  });

  it("keeps values in their ranges", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 40 }), (seed, n) => {
        const random = new SeededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const f = random.nextFloat();
          assert.ok(f >= 0 && f < 1);
          const k = random.nextInt(n);
          assert.ok(Number.isInteger(k) && k >= 0 && k < n);
          const u = random.nextUint32();
          assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
          const b = random.nextIntBetween(-3, 3);
          assert.ok(b >= -3 && b <= 3);
        }
      }),
    );
  });

  it("spreads nextInt evenly (every bucket within 10% of its share)", () => {
    const random = new SeededRandom(42);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[random.nextInt(10)]++;
    for (const count of buckets) assert.ok(Math.abs(count - 10_000) < 1_000, `bucket count ${count}`);
  });

  it("rejects invalid ranges", () => {
    const random = new SeededRandom();
    assert.throws(() => random.nextInt(0), RangeError);
    assert.throws(() => random.nextInt(1.5), RangeError);
    assert.throws(() => random.nextIntBetween(2, 1), RangeError);
    assert.throws(() => random.pick([]), RangeError);
    assert.equal(random.pick(["only"]), "only");
  });
});
