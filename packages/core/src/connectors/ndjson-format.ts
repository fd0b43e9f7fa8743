/**
 * Newline-delimited JSON (https://github.com/ndjson/ndjson-spec): one JSON value per line.
 * Blank lines are skipped; a line that is not JSON, or that `parse` rejects, is malformed.
 */
import { errorMessage } from "../errors.ts";
import { type FileFormat, type FormatState, SKIP_RECORD } from "./file-format.ts";

const NEWLINE = 0x0a;

export class NdjsonFormat<T> implements FileFormat<T> {
  readonly multiline = false;

  constructor(private readonly parse?: (json: unknown) => T) {}

  findRecordEnd(buffer: Buffer, start: number): number {
    return buffer.indexOf(NEWLINE, start);
  }

  decode(text: string, _state: FormatState): T | typeof SKIP_RECORD {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      if (text.trim() === "") return SKIP_RECORD;
      throw new Error(`invalid JSON: ${errorMessage(error)}`);
    }
    return this.parse === undefined ? (json as T) : this.parse(json);
  }
}
