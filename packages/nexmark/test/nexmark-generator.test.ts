// The Nexmark generator: per-event determinism, slices and splits that regenerate the same
// stream, the event mix and the id, price, time and size rules of NEXMARK.md, and NDJSON output.
import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { describe, test } from "node:test";
import type { ReaderOutput, SourceOutput } from "@eddy/core";
import {
  DEFAULT_BASE_TIME,
  type NexmarkEvent,
  NexmarkGenerator,
  NexmarkSource,
  type NexmarkSplit,
  nexmarkSplits,
  writeNexmarkNdjson,
} from "../src/index.ts";

const json = (e: NexmarkEvent) => JSON.stringify(e);

/** Reads splits with one reader until `maxPolls` polls or the end; returns what it read and its snapshot. */
function read(source: NexmarkSource, splits: readonly NexmarkSplit[], maxPolls = Number.POSITIVE_INFINITY) {
  const events: { event: NexmarkEvent; timestamp: number | undefined }[] = [];
  const reader = source.createReader({
    subtaskIndex: 0,
    parallelism: 1,
    operatorUid: "nexmark",
    sendSplitRequest() {},
    signalAvailable() {},
    currentProcessingTime: () => 0,
  });
  const splitOutput: SourceOutput<NexmarkEvent> = {
    collect: (event, timestamp) => events.push({ event, timestamp }),
    deadLetter: () => assert.fail("no dead letters expected"),
  };
  const output: ReaderOutput<NexmarkEvent> = {
    ...splitOutput,
    createOutputForSplit: () => splitOutput,
    releaseOutputForSplit() {},
  };
  reader.addSplits(splits);
  reader.notifyNoMoreSplits();
  let polls = 0;
  let status = "more-available";
  while (polls++ < maxPolls && (status = reader.pollNext(output)) !== "end-of-input");
  const snapshot = reader.snapshotState(1);
  reader.close();
  return { events, snapshot, ended: status === "end-of-input" };
}

describe("Nexmark generator", () => {
  test("an event depends only on (seed, event number): any order, any slice, any generator", () => {
    const a = new NexmarkGenerator({ seed: 7 });
    const b = new NexmarkGenerator({ seed: 7 });
    const forward = Array.from({ length: 2000 }, (_, k) => json(a.event(k)));
    for (let k = 1999; k >= 0; k -= 7) assert.equal(json(b.event(k)), forward[k]);
    const slice = Array.from({ length: 100 }, (_, i) =>
      json(new NexmarkGenerator({ seed: 7 }).event(1234 + i)),
    );
    assert.deepEqual(slice, forward.slice(1234, 1334));
    const other = new NexmarkGenerator({ seed: 8 });
    assert.notEqual(json(other.event(10)), forward[10]);
  });

  test("event mix: 1 person, 3 auctions, 46 bids per 50 events (2 / 6 / 92 %)", () => {
    const g = new NexmarkGenerator();
    const counts = { person: 0, auction: 0, bid: 0 };
    for (let k = 0; k < 100_000; k++) counts[g.event(k).type]++;
    assert.deepEqual(counts, { person: 2000, auction: 6000, bid: 92_000 });
    // eventId = k + 1; eventId % 50: 0 person, 1-3 auction, 4-49 bid
    assert.equal(g.event(49).type, "person");
    assert.deepEqual(
      [0, 1, 2].map((k) => g.event(k).type),
      ["auction", "auction", "auction"],
    );
    assert.equal(g.event(3).type, "bid");
  });

  test("ids, references, prices, categories and times follow the rules", () => {
    const g = new NexmarkGenerator();
    let persons = 0;
    let auctions = 0;
    let hotAuctionBids = 0;
    let bids = 0;
    for (let k = 0; k < 50_000; k++) {
      const e = g.event(k);
      const eventId = k + 1;
      assert.equal(e.dateTime, DEFAULT_BASE_TIME + Math.floor(k / 100)); // R100K: 100 events per ms
      if (e.type === "person") {
        assert.equal(e.id, 1000 + Math.floor(eventId / 50));
        assert.ok(["AZ", "CA", "ID", "OR", "WA", "WY"].includes(e.state));
        assert.match(e.creditCard, /^\d{4} \d{4} \d{4} \d{4}$/);
        persons++;
      } else if (e.type === "auction") {
        assert.equal(e.id, 1000 + auctions++);
        assert.ok(e.category >= 10 && e.category < 15);
        assert.ok(e.reserve > e.initialBid && e.initialBid >= 100);
        assert.ok(e.expires > e.dateTime);
        assert.ok(e.seller >= 1000 && e.seller <= 1000 + Math.floor(eventId / 50) + 10);
      } else {
        bids++;
        const lastAuction = 1000 + auctions - 1;
        assert.ok(e.auction <= lastAuction + 10 && e.auction >= 1000);
        if (e.auction === 1000 + Math.floor((lastAuction - 1000) / 100) * 100) hotAuctionBids++;
        assert.ok(e.price >= 100 && e.price <= 100_000_000);
        assert.ok(e.url.startsWith("https://www.nexmark.com/"));
      }
    }
    assert.equal(persons, 1000);
    // Half the bids go to the hot auction (plus the uniform picks that land on it).
    assert.ok(hotAuctionBids / bids > 0.48 && hotAuctionBids / bids < 0.56, `${hotAuctionBids / bids}`);
  });

  test("events pad to about 200 / 500 / 100 bytes", () => {
    const g = new NexmarkGenerator();
    const size = { person: [0, 0], auction: [0, 0], bid: [0, 0] };
    for (let k = 0; k < 20_000; k++) {
      const e = g.event(k);
      const bytes =
        e.type === "person"
          ? 8 + e.name.length + e.emailAddress.length + e.creditCard.length + e.city.length + e.state.length
          : e.type === "auction"
            ? 8 + e.itemName.length + e.description.length + 40
            : 32;
      size[e.type][0] += bytes + e.extra.length;
      size[e.type][1]++;
    }
    const average = (t: keyof typeof size) => size[t][0] / size[t][1];
    assert.ok(Math.abs(average("person") - 200) < 10, `${average("person")}`);
    assert.ok(Math.abs(average("auction") - 500) < 15, `${average("auction")}`);
    assert.ok(Math.abs(average("bid") - 100) < 3, `${average("bid")}`);
  });

  test("event time: R100K advances 1 ms per 100 events, R10M per 10,000", () => {
    const r100k = new NexmarkGenerator({ profile: "R100K", baseTime: 0 });
    const r10m = new NexmarkGenerator({ profile: "R10M", baseTime: 0 });
    assert.deepEqual(
      [0, 99, 100, 12_345].map((k) => r100k.timestamp(k)),
      [0, 0, 1, 123],
    );
    assert.deepEqual(
      [0, 9_999, 10_000, 1_234_567].map((k) => r10m.timestamp(k)),
      [0, 0, 1, 123],
    );
  });
});

describe("Nexmark source", () => {
  const source = new NexmarkSource({ events: 10_000, batchSize: 256 });
  const expected = Array.from({ length: 10_000 }, (_, k) => json(new NexmarkGenerator().event(k)));

  test("one split reads the stream in order, each event with its dateTime as timestamp", () => {
    const { events, ended } = read(source, nexmarkSplits(source.options, 1));
    assert.ok(ended);
    assert.deepEqual(
      events.map((e) => json(e.event)),
      expected,
    );
    for (const e of events) assert.equal(e.timestamp, e.event.dateTime);
  });

  for (const n of [2, 3]) {
    test(`${n} splits produce the same multiset, each split in event order`, () => {
      const all: string[] = [];
      for (const split of nexmarkSplits(source.options, n)) {
        const { events } = read(source, [split]);
        const lines = events.map((e) => json(e.event));
        assert.deepEqual(
          lines,
          expected.filter((_, k) => k % n === split.nextIndex),
        );
        all.push(...lines);
      }
      assert.deepEqual(all.sort(), [...expected].sort());
    });
  }

  test("a reader restored from a snapshot resumes exactly where the snapshot was taken", () => {
    const splits = nexmarkSplits(source.options, 3);
    const first = read(source, splits, 5);
    assert.ok(!first.ended);
    assert.equal(first.snapshot.length, 3);
    const rest = read(source, first.snapshot);
    const together = [...first.events, ...rest.events].map((e) => json(e.event));
    assert.equal(together.length, expected.length);
    assert.deepEqual([...together].sort(), [...expected].sort());
  });
});

describe("NDJSON", () => {
  test("writes one event per line, a slice equal to the same events of the whole", async () => {
    const collect = async (options: Parameters<typeof writeNexmarkNdjson>[0]) => {
      const stream = new PassThrough();
      let text = "";
      stream.on("data", (chunk) => {
        text += chunk;
      });
      await writeNexmarkNdjson(options, stream);
      stream.end();
      return text.split("\n").filter((l) => l !== "");
    };
    const whole = await collect({ events: 10_000, seed: 3 });
    assert.equal(whole.length, 10_000);
    assert.deepEqual(JSON.parse(whole[0]), new NexmarkGenerator({ seed: 3 }).event(0));
    assert.deepEqual(await collect({ events: 100, seed: 3, from: 5000 }), whole.slice(5000, 5100));
  });

  test("waits for a slow output to drain, and loses or reorders nothing", async () => {
    let text = "";
    let mostBuffered = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _encoding, done) {
        text += chunk;
        mostBuffered = Math.max(mostBuffered, this.writableLength);
        setImmediate(done);
      },
    });
    await writeNexmarkNdjson({ events: 20_000, seed: 5 }, slow);
    await new Promise<void>((resolve) => slow.end(resolve));
    // 20,000 events are 5 chunks: a writer that ignored backpressure would queue 4 of them at once.
    assert.ok(mostBuffered < text.length / 3, `${mostBuffered} of ${text.length} bytes buffered at once`);
    const generator = new NexmarkGenerator({ seed: 5 });
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 20_000);
    for (const k of [0, 4095, 4096, 12_345, 19_999]) assert.equal(lines[k], json(generator.event(k)));
  });
});
