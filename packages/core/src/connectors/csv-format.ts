/**
 * Comma-separated values as RFC 4180 defines them: a field may be quoted, a quoted field may hold
 * the delimiter, newlines, and quotes written twice (""). A quote that does not open a field is
 * an ordinary character, as most CSV writers expect. The first record is the header unless
 * `header` is false; rows become objects keyed by column (given `columns`, else the header, else
 * "0", "1", ...), and a row with a different number of fields is malformed.
 */
import { ConfigError } from "../errors.ts";
import { type FileFormat, type FormatState, SKIP_RECORD } from "./file-format.ts";

export interface CsvFormatOptions<T> {
  readonly header: boolean;
  readonly delimiter: string;
  readonly columns?: readonly string[];
  readonly parse?: (row: Record<string, string>) => T;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

export class CsvFormat<T> implements FileFormat<T> {
  readonly multiline = true;
  private readonly header: boolean;
  private readonly delimiter: string;
  private readonly delimiterBytes: Buffer;
  private readonly columns: string[] | undefined;
  private readonly parse: ((row: Record<string, string>) => T) | undefined;

  constructor(options: CsvFormatOptions<T>) {
    this.header = options.header;
    this.delimiter = options.delimiter;
    this.columns = options.columns === undefined ? undefined : [...options.columns];
    this.parse = options.parse;
    if (this.delimiter === "" || /["\r\n]/.test(this.delimiter)) {
      throw new ConfigError(
        "delimiter",
        `must be non-empty and hold no quote or newline, got ${JSON.stringify(this.delimiter)}`,
      );
    }
    if (this.columns !== undefined && this.columns.length === 0) {
      throw new ConfigError("columns", "must name at least one column");
    }
    this.delimiterBytes = Buffer.from(this.delimiter, "utf8");
  }

  findRecordEnd(buffer: Buffer, start: number): number {
    // Fast path, native scans only: a record without any quote ends at the next newline.
    const newline = buffer.indexOf(NEWLINE, start);
    if (newline >= 0 && buffer.subarray(start, newline).indexOf(QUOTE) < 0) return newline;
    return this.scanQuoted(buffer, start);
  }

  decode(text: string, state: FormatState): T | typeof SKIP_RECORD {
    if (text === "") return SKIP_RECORD;
    const fields = parseCsvFields(text, this.delimiter);
    let columns = state.columns;
    if (columns === undefined) {
      if (this.header) {
        state.columns = this.columns ?? fields;
        return SKIP_RECORD;
      }
      columns = state.columns = this.columns ?? fields.map((_, i) => String(i));
    }
    if (fields.length !== columns.length) {
      throw new Error(`expected ${columns.length} columns, found ${fields.length}`);
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]] = fields[i];
    return this.parse === undefined ? (row as T) : this.parse(row);
  }

  /** The same grammar as parseCsvFields, on bytes: quotes and newlines are ASCII, so UTF-8 is safe. */
  private scanQuoted(buffer: Buffer, start: number): number {
    const delimiter = this.delimiterBytes;
    let fieldStart = true;
    let quoted = false;
    for (let i = start; i < buffer.length; i++) {
      const byte = buffer[i];
      if (quoted) {
        if (byte === QUOTE) {
          // A quote that ends the buffer closes the field for now; no newline follows it yet, so
          // the scan ends incomplete and starts again from the record's start with more bytes.
          if (buffer[i + 1] === QUOTE) i++;
          else quoted = false;
        }
      } else if (byte === NEWLINE) {
        return i;
      } else if (byte === QUOTE && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else if (byte === delimiter[0] && startsWithAt(buffer, delimiter, i)) {
        fieldStart = true;
        i += delimiter.length - 1;
      } else {
        fieldStart = false;
      }
    }
    return -1;
  }
}

/** Splits one CSV record (without its line ending) into fields; throws on malformed quoting. */
export function parseCsvFields(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = "";
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error("a quoted field is not closed");
        value += text.slice(i, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (!text.startsWith(delimiter, i)) {
        throw new Error(`unexpected ${JSON.stringify(text[i])} after a closing quote at character ${i + 1}`);
      }
      i += delimiter.length;
    } else {
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

function startsWithAt(buffer: Buffer, prefix: Buffer, at: number): boolean {
  if (at + prefix.length > buffer.length) return false;
  for (let j = 1; j < prefix.length; j++) if (buffer[at + j] !== prefix[j]) return false;
  return true;
}
