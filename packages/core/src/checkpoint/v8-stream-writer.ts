/**
 * Writes one value in V8's serialisation format (node:v8, what `serialize` writes) a piece at a
 * time, so that a large value need not exist in memory, nor be serialised in one blocking call.
 * The containers around the pieces (objects, dense arrays) are written tag by tag, as V8 writes
 * them:
 *
 *   object       'o' (key value)* '{' varint(count)
 *   dense array  'A' varint(length) element* '$' varint(0) varint(length)
 *
 * and the values inside them with V8's own serialiser, a fresh one for each piece: a serialiser
 * remembers every object it has written (to write a second occurrence as a reference), and one
 * serialiser for a whole snapshot of millions of entries would keep all of them alive and make
 * every garbage collection walk them.
 *
 * The one thing that ties the pieces together is object numbering: a reader numbers every object
 * it reads (containers included) in order, and a reference to an object written earlier is its
 * number. A fresh serialiser numbers from 0, so the references inside a piece are shifted by the
 * count of objects before the piece (known exactly: the serialiser is asked, after the piece, for
 * the number of a new object) and rewritten. Finding them needs a walk of the piece's bytes
 * (`scanPiece`); a piece with something the walk does not know is written again with a serialiser
 * whose numbering is advanced by that many throwaway objects, slower but exact. An object that
 * occurs in two pieces is written in both, so it reads back as two equal objects.
 *
 * V8 aligns two-byte strings to an even position (with a padding tag the reader skips): a piece's
 * serialiser starts at the parity of its position in the whole, and a rewritten piece's padding
 * is placed again. The result is byte for byte what `serialize` writes for the whole value, but
 * for objects shared between pieces (and integers: V8 writes one it holds as a double as a double,
 * so the same number handed over another way may be written the other way; it reads back the same).
 */
import { DefaultSerializer } from "node:v8";
import { crc32 } from "node:zlib";

const TAG = {
  padding: 0x00,
  verifyObjectCount: 0x3f, // ?
  objectReference: 0x5e, // ^
  beginObject: 0x6f, // o
  endObject: 0x7b, // {
  beginDenseArray: 0x41, // A
  endDenseArray: 0x24, // $
  twoByteString: 0x63, // c
} as const;

export interface V8StreamWriterOptions {
  /** Rewrite references after a walk of each piece (default); false: always renumber by throwaway objects (tests). */
  scan?: boolean;
}

export class V8StreamWriter {
  private readonly chunks: Buffer[] = [];
  /** Bytes written so far, header included (V8's alignment counts from the start). */
  private length = 0;
  /** Objects a reader will have numbered when it reaches the next byte. */
  private numbered = 0;
  /** Container tags not yet in `chunks`. */
  private tags: number[] = [];
  private readonly scan: boolean;

  constructor(options: V8StreamWriterOptions = {}) {
    this.scan = options.scan ?? true;
    const header = new DefaultSerializer();
    header.writeHeader();
    this.append(header.releaseBuffer());
  }

  beginObject(): void {
    this.tags.push(TAG.beginObject);
    this.numbered++;
  }

  endObject(properties: number): void {
    this.tags.push(TAG.endObject);
    pushVarint(this.tags, properties);
  }

  beginArray(length: number): void {
    this.tags.push(TAG.beginDenseArray);
    pushVarint(this.tags, length);
    this.numbered++;
  }

  endArray(length: number): void {
    this.tags.push(TAG.endDenseArray);
    pushVarint(this.tags, 0);
    pushVarint(this.tags, length);
  }

  /**
   * A property key, as V8 writes it: an array index as a number (a small integer when it is one,
   * as V8 holds it), anything else as a string.
   */
  key(key: string | number): void {
    const name = String(key);
    if (!isArrayIndex(name)) this.values([name]);
    else {
      const index = Number(name);
      this.values([index <= 0x7fffffff ? index | 0 : index]);
    }
  }

  value(value: unknown): void {
    this.values([value]);
  }

  property(key: string, value: unknown): void {
    this.key(key);
    this.value(value);
  }

  /** Values one after the other (the elements of an array begun by hand), as one piece. */
  values(values: readonly unknown[]): void {
    this.flushTags();
    const base = this.numbered;
    const odd = (this.length & 1) === 1;
    const serializer = new DefaultSerializer();
    // Start at the parity of the position in the whole (see the module comment).
    if (odd) serializer.writeRawBytes(ONE_BYTE);
    for (const value of values) serializer.writeValue(value);
    const { objects, bytes, end } = withProbe(serializer);
    let piece = bytes.subarray(odd ? 1 : 0, end);
    if (objects > 0 && base > 0) {
      const found = this.scan ? scanPiece(piece, values.length) : undefined;
      if (found === undefined) piece = serializeNumberedFrom(base, this.length, values);
      else if (found.references.length > 0) piece = rewritePiece(piece, found, base, this.length);
    }
    this.append(piece);
    this.numbered += objects;
  }

  /** The whole serialisation, with its checksum. */
  finish(): { chunks: Buffer[]; length: number; crc: number } {
    this.flushTags();
    let crc = 0;
    for (const chunk of this.chunks) crc = crc32(chunk, crc);
    return { chunks: this.chunks, length: this.length, crc };
  }

  private flushTags(): void {
    if (this.tags.length === 0) return;
    this.append(Buffer.from(this.tags));
    this.tags = [];
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
}

const ONE_BYTE = Buffer.alloc(1);

function isArrayIndex(key: string): boolean {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1 && String(n) === key;
}

function pushVarint(out: number[], value: number): void {
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Ends what `serializer` wrote with a probe that tells how many objects it numbered: a new empty
 * object written twice, 'o' '{' 0x00 then '^' varint(its number). Returns the bytes, where the
 * probe starts, and the count.
 */
function withProbe(serializer: DefaultSerializer): { bytes: Buffer; end: number; objects: number } {
  const probe = {};
  serializer.writeValue(probe);
  serializer.writeValue(probe);
  const bytes = serializer.releaseBuffer();
  // The varint is last: its last byte is below 0x80, the ones before it are not, '^' is before them.
  let start = bytes.length - 1;
  while (start > 0 && bytes[start - 1] >= 0x80) start--;
  if (bytes[start - 1] !== TAG.objectReference) throw new Error("unexpected serialiser output");
  return { bytes, end: start - 4, objects: readVarint(bytes, start).value };
}

/** The values written by a serialiser whose numbering starts at `base`, for position `position`. */
function serializeNumberedFrom(base: number, position: number, values: readonly unknown[]): Buffer {
  const serializer = new DefaultSerializer();
  const throwaway: object[] = [];
  for (let i = 0; i < base; i++) {
    const object = {};
    throwaway.push(object);
    serializer.writeValue(object); // 'o' '{' 0x00
  }
  const skipped = 3 * base + ((position - 3 * base) & 1);
  if (skipped > 3 * base) serializer.writeRawBytes(ONE_BYTE);
  for (const value of values) serializer.writeValue(value);
  const { bytes, end } = withProbe(serializer);
  return bytes.subarray(skipped, end);
}

function readVarint(bytes: Buffer, position: number): { value: number; end: number } {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (position >= bytes.length) throw new ScanError("varint past the end");
    const byte = bytes[position++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, end: position };
    scale *= 128;
  }
}

class ScanError extends Error {}

interface ScannedPiece {
  /** Object references: where the tag is, where its varint ends, the number it holds. */
  readonly references: { at: number; end: number; id: number }[];
  /** Padding bytes and two-byte string tags, in order (only needed to rewrite). */
  readonly alignment: { at: number; padding: boolean; byteLength: number }[];
}

/**
 * Walks the values of a piece (V8's format, as Node's DefaultSerializer writes it) and finds its
 * object references; undefined if the piece holds anything the walk does not know.
 */
export function scanPiece(piece: Buffer, count: number): ScannedPiece | undefined {
  const references: ScannedPiece["references"] = [];
  const alignment: ScannedPiece["alignment"] = [];
  let p = 0;
  const varint = () => {
    const { value, end } = readVarint(piece, p);
    p = end;
    return value;
  };
  const skip = (n: number) => {
    p += n;
    if (p > piece.length) throw new ScanError("past the end");
  };
  const peekTag = (): number => {
    while (p < piece.length && piece[p] === TAG.padding) {
      alignment.push({ at: p, padding: true, byteLength: 0 });
      p++;
    }
    if (p >= piece.length) throw new ScanError("past the end");
    return piece[p];
  };
  /** Properties (key, value) until `end`, then the end tag. */
  const properties = (end: number) => {
    while (peekTag() !== end) {
      value();
      value();
    }
    p++;
  };
  const value = (): void => {
    const tag = peekTag();
    const at = p++;
    switch (tag) {
      case 0x3f: // ? verify object count: a varint, then the value
        varint();
        value();
        return;
      case 0x2d: // - the hole
      case 0x5f: // _ undefined
      case 0x30: // 0 null
      case 0x54: // T
      case 0x46: // F
      case 0x79: // y true object
      case 0x78: // x false object
        return;
      case 0x49: // I int32 (zigzag)
      case 0x55: // U uint32
        varint();
        return;
      case 0x4e: // N double
      case 0x44: // D date
      case 0x6e: // n number object
        skip(8);
        return;
      case 0x5a: // Z bigint
      case 0x7a: // z bigint object
        skip(varint() >>> 1);
        return;
      case 0x22: // " one-byte string
      case 0x53: // S utf-8 string
        skip(varint());
        return;
      case TAG.twoByteString: {
        const byteLength = varint();
        alignment.push({ at, padding: false, byteLength });
        skip(byteLength);
        return;
      }
      case TAG.objectReference:
        references.push({ at, id: varint(), end: p });
        return;
      case 0x73: // s string object: a string value
        value();
        return;
      case 0x52: // R regexp: the source (a string value), then flags
        value();
        varint();
        return;
      case TAG.beginObject:
        properties(TAG.endObject);
        varint();
        return;
      case 0x61: // a sparse array: length, properties until '@', count, length
        varint();
        properties(0x40);
        varint();
        varint();
        return;
      case TAG.beginDenseArray: {
        const length = varint();
        for (let i = 0; i < length; i++) value();
        properties(TAG.endDenseArray);
        varint();
        varint();
        return;
      }
      case 0x3b: // ; map: key, value ... ':' length
        properties(0x3a);
        varint();
        return;
      case 0x27: // ' set: value ... ',' length
        while (peekTag() !== 0x2c) value();
        p++;
        varint();
        return;
      case 0x42: // B array buffer
        skip(varint());
        if (p < piece.length && piece[p] === 0x56) throw new ScanError("array buffer view");
        return;
      case 0x7e: // ~ resizable array buffer: length, max length, bytes
        {
          const byteLength = varint();
          varint();
          skip(byteLength);
        }
        if (p < piece.length && piece[p] === 0x56) throw new ScanError("array buffer view");
        return;
      case 0x5c: // \ host object (Node: a typed array or Buffer): type, length, bytes
        varint();
        skip(varint());
        return;
      case 0x72: // r error: sub-tags until '.'
        for (;;) {
          if (p >= piece.length) throw new ScanError("past the end");
          const sub = piece[p++];
          if (sub === 0x2e) return;
          if (sub === 0x6d || sub === 0x73 || sub === 0x63)
            value(); // message, stack, cause
          else if (!"ERFSTU".includes(String.fromCharCode(sub))) throw new ScanError("error sub-tag");
        }
      default:
        throw new ScanError(`tag ${tag}`);
    }
  };
  try {
    for (let i = 0; i < count; i++) value();
    if (p !== piece.length) return undefined;
  } catch (error) {
    if (error instanceof ScanError) return undefined;
    throw error;
  }
  return { references, alignment };
}

/** The piece with its references shifted by `base` and its padding placed for `position`. */
function rewritePiece(piece: Buffer, scanned: ScannedPiece, base: number, position: number): Buffer {
  type Event =
    | { at: number; kind: "reference"; id: number; end: number }
    | { at: number; kind: "padding" }
    | { at: number; kind: "string"; byteLength: number };
  const events: Event[] = [
    ...scanned.references.map((r): Event => ({ at: r.at, kind: "reference", id: r.id, end: r.end })),
    ...scanned.alignment.map(
      (a): Event =>
        a.padding ? { at: a.at, kind: "padding" } : { at: a.at, kind: "string", byteLength: a.byteLength },
    ),
  ].sort((x, y) => x.at - y.at);
  const out: Buffer[] = [];
  let written = 0;
  let from = 0;
  const copy = (to: number) => {
    if (to > from) {
      out.push(piece.subarray(from, to));
      written += to - from;
    }
    from = to;
  };
  for (const event of events) {
    copy(event.at);
    if (event.kind === "padding") from = event.at + 1;
    else if (event.kind === "string") {
      // As V8 writes a two-byte string: aligned so that its characters start at an even position.
      if ((position + written + 1 + varintLength(event.byteLength)) & 1) {
        out.push(ONE_BYTE);
        written++;
      }
    } else {
      const bytes: number[] = [TAG.objectReference];
      pushVarint(bytes, base + event.id);
      out.push(Buffer.from(bytes));
      written += bytes.length;
      from = event.end;
    }
  }
  copy(piece.length);
  return Buffer.concat(out, written);
}
