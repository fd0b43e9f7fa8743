/**
 * Word count, the "hello world" of stream processing: lines of text are split into words, keyed
 * by word, and a rolling reduce keeps each word's count, printing the new count after every word.
 *
 *   npx eddy run examples/word-count.ts
 */
import { type Collector, Job } from "@eddy/core";

const LINES = [
  "the quick brown fox jumps over the lazy dog",
  "the dog sleeps and the fox runs",
  "a stream is a table in motion and a table is a stream at rest",
];

interface WordCount {
  word: string;
  count: number;
}

function splitWords(line: string, out: Collector<WordCount>): void {
  for (const word of line.toLowerCase().split(/\W+/)) if (word !== "") out.collect({ word, count: 1 });
}

const job = Job.create({ name: "word-count" });

job
  .fromElements(...LINES)
  .flatMap(splitWords)
  .name("split-words")
  .keyBy((wc) => wc.word)
  .reduce((a, b) => ({ word: a.word, count: a.count + b.count }))
  .uid("word-counts")
  .name("count-words")
  .map((wc) => `${wc.word}: ${wc.count}`)
  .print();

export default job;
