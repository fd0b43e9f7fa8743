/**
 * Precomputed strings for the Nexmark generator, so that generating an event allocates the event
 * and (at most) a few small strings, never builds one character at a time. Random text is a slice
 * of a long fixed random string at a random offset: V8 makes a slice of 13 characters or more
 * without copying. The pools are built once per thread from a fixed seed, so they are the same
 * for every global seed and every run; only which slice an event takes depends on its seed.
 */
import { EventRandom } from "./event-random.ts";

/** Names, cities and states as in nexmark-flink (small lists, so that queries find matches). */
export const US_STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"] as const;
export const US_CITIES = [
  "Phoenix",
  "Los Angeles",
  "San Francisco",
  "Boise",
  "Portland",
  "Bend",
  "Redmond",
  "Seattle",
  "Kent",
  "Cheyenne",
] as const;
const FIRST_NAMES = [
  "Peter",
  "Paul",
  "Luke",
  "John",
  "Saul",
  "Vicky",
  "Kate",
  "Julie",
  "Sarah",
  "Deiter",
  "Walter",
];
const LAST_NAMES = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];

export const HOT_CHANNELS = ["Google", "Facebook", "Baidu", "Apple"] as const;
/** Bids outside the hot channels pick one of this many channels ("channel-<n>"). */
export const CHANNEL_COUNT = 10_000;

const POOL_LENGTH = 1 << 16;
/** Pool seed: any constant; changing it changes every generated string. */
const POOL_SEED = 0x6e78_6d6b;

export interface StringPools {
  /** Random lowercase letters: `extra` padding. */
  readonly letters: string;
  /** Random lowercase letters with a space one time in 13: names and descriptions. */
  readonly words: string;
  /** "First Last" for every pair of the fixed name lists. */
  readonly personNames: readonly string[];
  /** "0000" .. "9999": credit-card groups. */
  readonly digitGroups: readonly string[];
  readonly hotUrls: readonly string[];
  readonly channelNames: readonly string[];
  readonly channelUrls: readonly string[];
}

let pools: StringPools | undefined;

export function stringPools(): StringPools {
  pools ??= buildPools();
  return pools;
}

function buildPools(): StringPools {
  const random = new EventRandom().reseed(POOL_SEED, 0);
  const letters: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < POOL_LENGTH; i++) {
    letters.push(String.fromCharCode(97 + random.nextInt(26)));
    words.push(random.nextInt(13) === 0 ? " " : String.fromCharCode(97 + random.nextInt(26)));
  }
  const personNames: string[] = [];
  for (const first of FIRST_NAMES) for (const last of LAST_NAMES) personNames.push(`${first} ${last}`);
  const digitGroups = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, "0"));
  // Each URL comes from its own seed, so channel n has the same URL in every run and thread.
  const urlRandom = new EventRandom();
  const baseUrl = (n: number) => {
    urlRandom.reseed(POOL_SEED, n + 1);
    const part = () => urlPart(urlRandom);
    return `https://www.nexmark.com/${part()}/${part()}/${part()}/item.htm?query=1`;
  };
  const hotUrls = HOT_CHANNELS.map((_, i) => baseUrl(CHANNEL_COUNT + i));
  const channelNames: string[] = [];
  const channelUrls: string[] = [];
  for (let n = 0; n < CHANNEL_COUNT; n++) {
    channelNames.push(`channel-${n}`);
    const url = baseUrl(n);
    // As nexmark-flink: nine channels in ten carry their (bit-reversed) number in the URL.
    channelUrls.push(urlRandom.nextInt(10) > 0 ? `${url}&channel_id=${Math.abs(reverseBits(n))}` : url);
  }
  return {
    letters: letters.join(""),
    words: words.join(""),
    personNames,
    digitGroups,
    hotUrls,
    channelNames,
    channelUrls,
  };
}

/** 3 or 4 random characters, one in 13 an underscore (nexmark-flink's nextString(5, '_')). */
function urlPart(random: EventRandom): string {
  let s = "";
  for (let len = 3 + random.nextInt(2); len > 0; len--)
    s += random.nextInt(13) === 0 ? "_" : String.fromCharCode(97 + random.nextInt(26));
  return s;
}

/** Java's Integer.reverse: the 32 bits of n in reverse order, as a signed integer. */
function reverseBits(n: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (n & 1);
    n >>>= 1;
  }
  return r | 0;
}
