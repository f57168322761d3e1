import { DataType, Int64ToBigInt, UInt64ToBigInt, type Variant, VariantArrayType } from 'node-opcua';
import type { TagMappingEntry } from '../mapping/tag-mapping';

/** A tag's value as the normalizer sees it. */
export type TagValue = number | boolean | string;

export type ReadValue =
  | { ok: true; value: TagValue }
  /** `empty`: the node has no value yet (Null); nothing to do until it has one. */
  | { ok: false; empty: true }
  /** The value cannot be carried; `reason` says why, for the tag's fault. */
  | { ok: false; empty?: false; reason: string };

/**
 * Every OPC UA built-in type a mapping can use, converted deliberately: integers (enumerations
 * arrive as Int32) and floats as numbers, 64-bit integers exactly while they fit a double's 53 bits
 * (node-opcua delivers them as [high, low], which was dropped before), Boolean, String, DateTime as
 * ISO text, LocalizedText as its text. An array value needs the mapping's `index`. Any other type
 * (ByteString, Guid, NodeId, structures, …) has no meaning for a tag and is refused with its name.
 */
export function readVariant(variant: Variant, index?: number): ReadValue {
  if (variant.dataType === DataType.Null) return { ok: false, empty: true };
  const typeName = DataType[variant.dataType] ?? `type ${variant.dataType}`;
  let raw: unknown = variant.value;
  // A null array (length -1 on the wire) or element is no value yet, like Null.
  if (raw === null || raw === undefined) return { ok: false, empty: true };
  if (variant.arrayType !== VariantArrayType.Scalar) {
    if (index === undefined)
      return { ok: false, reason: `the node holds an array of ${typeName}; map one element with "index"` };
    const elements = raw as ArrayLike<unknown>;
    if (index >= elements.length)
      return { ok: false, reason: `index ${index} is beyond the array's ${elements.length} elements` };
    raw = elements[index];
    if (raw === null || raw === undefined) return { ok: false, empty: true };
  } else if (index !== undefined) {
    return { ok: false, reason: `"index" is set but the node holds a single ${typeName}, not an array` };
  }
  // Every built-in type is named here, so a type added to the switch cannot be forgotten.
  switch (variant.dataType) {
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Float:
    case DataType.Double:
      return { ok: true, value: raw as number };
    case DataType.Int64:
    case DataType.UInt64: {
      const pair = raw as [number, number];
      const big = variant.dataType === DataType.Int64 ? Int64ToBigInt(pair) : UInt64ToBigInt(pair);
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER))
        return { ok: false, reason: `${typeName} value ${big} is beyond 2^53 and cannot be carried exactly` };
      return { ok: true, value: Number(big) };
    }
    case DataType.Boolean:
      return { ok: true, value: raw as boolean };
    case DataType.String:
      return { ok: true, value: raw as string };
    case DataType.DateTime:
      return { ok: true, value: (raw as Date).toISOString() };
    case DataType.LocalizedText:
      return { ok: true, value: (raw as { text?: string | null }).text ?? '' };
    case DataType.Guid:
    case DataType.ByteString:
    case DataType.XmlElement:
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
    case DataType.StatusCode:
    case DataType.QualifiedName:
    case DataType.ExtensionObject:
    case DataType.DataValue:
    case DataType.Variant:
    case DataType.DiagnosticInfo:
    default:
      return { ok: false, reason: `OPC UA type ${typeName} cannot be mapped to a tag` };
  }
}

const ACCEPTED: Record<TagMappingEntry['signal'], ReadonlyArray<'number' | 'boolean' | 'string'>> = {
  counter: ['number'],
  state: ['number', 'boolean', 'string'],
  // An enumerated alarm word: 0 is no alarm, any other code an active one.
  alarm: ['boolean', 'number'],
  measurement: ['number'],
  telemetry: ['number', 'boolean', 'string'],
};

/** Why a value of this kind cannot feed the tag's signal, or undefined when it can. */
export function unusableFor(tag: TagMappingEntry, value: TagValue): string | undefined {
  const kind = typeof value as 'number' | 'boolean' | 'string';
  if (ACCEPTED[tag.signal].includes(kind)) return undefined;
  return `a ${kind} value cannot be a ${tag.signal} (it takes ${ACCEPTED[tag.signal].join(' or ')})`;
}
