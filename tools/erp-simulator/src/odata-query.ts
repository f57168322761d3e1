import type { EdmType } from '@plantbridge/erp';

/**
 * The slice of OData V2 `$filter` / `$orderby` / `$top` / `$skip` the simulator understands:
 * comparisons joined by `and`, with string, boolean, number, `datetimeoffset'…'` and `guid'…'`
 * literals. Enough for what the adapter sends; anything else is answered with SAP's 400. As in SAP,
 * a literal must have the Edm type of the property it is compared with (`OrderIsReleased eq true`
 * is a 400: the flag is an Edm.String), whether or not any entity matches.
 */

type Literal = string | number | boolean;
interface Comparison {
  field: string;
  op: 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';
  value: Literal;
  type: EdmType;
}

/** The Edm type of each property of an entity set that may appear in `$filter` or `$orderby`. */
export type PropertyTypes = Record<string, EdmType>;

export class ODataQueryError extends Error {}

const COMPARISON = /^(\w+)\s+(eq|ne|ge|gt|le|lt)\s+(.+)$/;

const TYPED_LITERAL: Record<string, EdmType> = {
  guid: 'Edm.Guid',
  datetime: 'Edm.DateTime',
  datetimeoffset: 'Edm.DateTimeOffset',
};

/** A URI literal with its Edm type: `'…'`, `guid'…'`, `datetime'…'` (no zone: UTC), numbers, booleans. */
export function parseLiteral(text: string): { value: Literal; type: EdmType } {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return { value: trimmed === 'true', type: 'Edm.Boolean' };
  const typed = /^(datetimeoffset|datetime|guid)?'((?:[^']|'')*)'$/.exec(trimmed);
  if (typed) {
    const raw = typed[2].replace(/''/g, "'");
    if (!typed[1]) return { value: raw, type: 'Edm.String' };
    if (typed[1] === 'guid') return { value: raw.toLowerCase(), type: 'Edm.Guid' };
    const ms = Date.parse(typed[1] === 'datetime' && !/(Z|[+-]\d\d:\d\d)$/.test(raw) ? `${raw}Z` : raw);
    if (Number.isNaN(ms)) throw new ODataQueryError(`Invalid date literal ${trimmed}`);
    return { value: ms, type: TYPED_LITERAL[typed[1]] };
  }
  if (/^-?\d+(\.\d+)?[mMdD]?$/.test(trimmed))
    return { value: Number(trimmed.replace(/[mMdD]$/, '')), type: 'Edm.Decimal' };
  throw new ODataQueryError(`Invalid literal ${trimmed}`);
}

export function parseFilter(filter: string | null, types: PropertyTypes): Comparison[] {
  if (!filter) return [];
  return filter.split(/\s+and\s+/i).map((part) => {
    const match = COMPARISON.exec(part.trim());
    if (!match) throw new ODataQueryError(`Unsupported $filter expression: ${part}`);
    const [, field, op] = match;
    const property = types[field];
    if (!property) throw new ODataQueryError(`Property ${field} not found`);
    const literal = parseLiteral(match[3]);
    if (literal.type !== property)
      throw new ODataQueryError(
        `Invalid filter: operator '${op}' incompatible with operand types ${property} (${field}) and ${literal.type}`,
      );
    return { field, op: op as Comparison['op'], ...literal };
  });
}

/** An entity's field as a comparable value: `/Date(ms)/` becomes ms. */
function valueOf(entity: object, field: string): Literal {
  if (!(field in entity)) throw new ODataQueryError(`Property ${field} not found`);
  const value = (entity as Record<string, unknown>)[field];
  if (typeof value === 'string') {
    const date = /^\/Date\((-?\d+)/.exec(value);
    if (date) return Number(date[1]);
    return value;
  }
  return value as Literal;
}

function holds(entity: object, c: Comparison): boolean {
  const value = valueOf(entity, c.field);
  // A GUID is a number, whatever case its text comes in.
  const actual = c.type === 'Edm.Guid' && typeof value === 'string' ? value.toLowerCase() : value;
  switch (c.op) {
    case 'eq':
      return actual === c.value;
    case 'ne':
      return actual !== c.value;
    case 'ge':
      return actual >= c.value;
    case 'gt':
      return actual > c.value;
    case 'le':
      return actual <= c.value;
    case 'lt':
      return actual < c.value;
  }
}

export function applyQuery<T extends object>(
  entities: T[],
  params: URLSearchParams,
  types: PropertyTypes,
): T[] {
  const filter = parseFilter(params.get('$filter'), types);
  let result = entities.filter((e) => filter.every((c) => holds(e, c)));
  const orderBy = params.get('$orderby');
  if (orderBy) {
    const keys = orderBy.split(',').map((k) => k.trim().split(/\s+/));
    result = [...result].sort((a, b) => {
      for (const [field, direction] of keys) {
        const x = valueOf(a, field);
        const y = valueOf(b, field);
        if (x !== y) return (x < y ? -1 : 1) * (direction === 'desc' ? -1 : 1);
      }
      return 0;
    });
  }
  const skip = Number(params.get('$skip') ?? 0);
  const top = params.get('$top');
  return result.slice(skip, top === null ? undefined : skip + Number(top));
}
