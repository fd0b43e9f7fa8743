import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerminalBlock, type WritableText } from "../src/terminal-block.ts";

class FakeStream implements WritableText {
  constructor(readonly log: string[]) {}
  write(text: string): boolean {
    this.log.push(text);
    return true;
  }
}

describe("TerminalBlock", () => {
  it("redraws in place with cursor-up and erase", () => {
    const log: string[] = [];
    const block = new TerminalBlock(new FakeStream(log));
    block.draw(["a", "b"]);
    block.draw(["c", "d", "e"]);
    assert.deepEqual(log, ["a\nb\n", "\u001b[2A\r\u001b[Jc\nd\ne\n"]);
    block.detach();
  });

  it("keeps itself below other output to the terminal, until detached", () => {
    const log: string[] = [];
    const stderr = new FakeStream(log);
    const stdout = new FakeStream(log);
    const block = new TerminalBlock(stderr);
    block.keepBelow(stdout);
    stdout.write("before\n");
    block.draw(["progress"]);
    stdout.write("record 1\n");
    stderr.write("a warning\n");
    block.detach();
    stdout.write("after\n");
    assert.deepEqual(log, [
      "before\n",
      "progress\n",
      "\u001b[1A\r\u001b[J",
      "record 1\n",
      "progress\n",
      "\u001b[1A\r\u001b[J",
      "a warning\n",
      "progress\n",
      "after\n",
    ]);
    assert.equal(Object.hasOwn(stdout, "write"), false, "the stream's own write is back");
  });
});
