/**
 * How a file source cuts bytes into records and turns a record's text into a value. The reader
 * owns the bytes, offsets, line numbers, line endings, BOM and empty lines; a format only finds
 * where a record ends (a newline, unless quoted) and decodes its text.
 */

/** `decode` returns this for a record that carries no value (a CSV header, a blank line). */
export const SKIP_RECORD: unique symbol = Symbol("eddy.skip-record");

/** What a format remembers about one file, across records and checkpoints: the CSV columns. */
export interface FormatState {
  columns?: string[];
}

export interface FileFormat<T> {
  /** Records may hold newlines (quoted CSV fields), so the reader counts lines inside them. */
  readonly multiline: boolean;
  /**
   * The index of the newline byte that ends the first record starting at `start`, or -1 when the
   * buffer holds no complete record yet.
   */
  findRecordEnd(buffer: Buffer, start: number): number;
  /**
   * Decodes one record's text (line ending removed). Throws on a malformed record; the message
   * becomes the dead letter's error.
   */
  decode(text: string, state: FormatState): T | typeof SKIP_RECORD;
}
