/**
 * JSON as the fuzzer writes it. Hostile inputs need what `JSON.stringify` cannot express: number
 * literals in the caller's spelling (`1E+2`, `-0`, `1e309`), raw bytes that are not UTF-8, and
 * nesting thousands of levels deep without building (and recursing into) that many objects. Such
 * pieces are `Raw` leaves, written out byte for byte.
 */
export class Raw {
  constructor(readonly bytes: Buffer) {}

  static text(text: string): Raw {
    return new Raw(Buffer.from(text, 'utf8'));
  }
}

export type JsonNode = null | boolean | number | string | Raw | JsonNode[] | { [key: string]: JsonNode };
export type JsonObject = { [key: string]: JsonNode };

export function isJsonObject(node: JsonNode | undefined): node is JsonObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof Raw);
}

/** The bytes of a JSON document; object keys such as `__proto__` are written as the own keys they are. */
export function toJsonBytes(node: JsonNode): Buffer {
  const chunks: Buffer[] = [];
  write(node, chunks);
  return Buffer.concat(chunks);
}

function write(node: JsonNode, out: Buffer[]): void {
  if (node instanceof Raw) return void out.push(node.bytes);
  if (Array.isArray(node)) {
    out.push(Buffer.from('['));
    node.forEach((item, i) => {
      if (i > 0) out.push(Buffer.from(','));
      write(item, out);
    });
    return void out.push(Buffer.from(']'));
  }
  if (node !== null && typeof node === 'object') {
    out.push(Buffer.from('{'));
    Object.keys(node).forEach((key, i) => {
      out.push(Buffer.from(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`));
      write(node[key], out);
    });
    return void out.push(Buffer.from('}'));
  }
  out.push(Buffer.from(JSON.stringify(node)));
}

/** `{...object, [key]: value}` that keeps `__proto__` an own key instead of setting the prototype. */
export function withKey(object: JsonObject, key: string, value: JsonNode): JsonObject {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

export function withoutKey(object: JsonObject, key: string): JsonObject {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** `[[[…1…]]]` or `{"a":{"a":…1…}}`, `depth` levels deep, as text. */
export function deeplyNested(depth: number, shape: 'array' | 'object'): Raw {
  const [open, close] = shape === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return Raw.text(`${open.repeat(depth)}1${close.repeat(depth)}`);
}

/** A JSON string whose content holds `bytes` as they are (invalid UTF-8 included). */
export function rawString(prefix: string, bytes: Buffer): Raw {
  return new Raw(Buffer.concat([Buffer.from(`"${prefix}`), bytes, Buffer.from('"')]));
}
