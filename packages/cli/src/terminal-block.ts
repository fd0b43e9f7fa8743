/**
 * A block of lines at the bottom of a terminal, redrawn in place (ANSI cursor-up and erase).
 * Other output to the same terminal (the job's prints on stdout, logs on stderr) would be drawn
 * over, so while the block is attached it wraps those streams' `write`: the block is erased, the
 * text written, and the block drawn again below it.
 */

export interface WritableText {
  write(text: string, ...rest: any[]): boolean;
}

const ESC = "\u001b[";

export class TerminalBlock {
  private drawnLines = 0;
  private lines: readonly string[] = [];
  private readonly write: (text: string) => void;
  private readonly restores: (() => void)[] = [];

  /** `terminal` is where the block is drawn (stderr); writes to it pass above the block too. */
  constructor(terminal: WritableText) {
    const raw = terminal.write.bind(terminal);
    this.write = (text) => {
      raw(text);
    };
    this.passAbove(terminal, raw);
  }

  /** Keeps the block below what is written to `stream` as well (stdout on the same terminal). */
  keepBelow(stream: WritableText): void {
    this.passAbove(stream, stream.write.bind(stream));
  }

  /** Replaces the block's lines. */
  draw(lines: readonly string[]): void {
    this.lines = lines;
    this.write(this.erase() + lines.map((l) => `${l}\n`).join(""));
    this.drawnLines = lines.length;
  }

  /** Leaves the last drawn lines on the terminal and gives the streams back their own `write`. */
  detach(): void {
    for (const restore of this.restores.splice(0)) restore();
  }

  private erase(): string {
    const sequence = this.drawnLines === 0 ? "" : `${ESC}${this.drawnLines}A\r${ESC}J`;
    this.drawnLines = 0;
    return sequence;
  }

  private passAbove(stream: WritableText, raw: (text: string, ...rest: any[]) => boolean): void {
    const own = Object.hasOwn(stream, "write") ? stream.write : undefined;
    stream.write = (text: string, ...rest: any[]): boolean => {
      if (this.drawnLines === 0) return raw(text, ...rest);
      this.write(this.erase());
      const accepted = raw(text, ...rest);
      // Only redraw on a line boundary, so that a partial line stays above the block.
      if (endsLine(text)) this.draw(this.lines);
      return accepted;
    };
    this.restores.push(() => {
      if (own === undefined) delete (stream as Partial<WritableText>).write;
      else stream.write = own;
    });
  }
}

function endsLine(chunk: unknown): boolean {
  if (typeof chunk === "string") return chunk.endsWith("\n");
  if (chunk instanceof Uint8Array) return chunk.length > 0 && chunk[chunk.length - 1] === 10;
  return true;
}
