/**
 * The slice of OData V2 `$filter` / `$orderby` / `$top` / `$skip` the simulator understands:
 * comparisons joined by `and`, with string, boolean, number, `datetimeoffset'…'` and `guid'…'`
 * literals. Enough for what the adapter sends; anything else is answered with SAP's 400.
 */

type Literal = string | number | boolean;
interface Comparison {
  field: string;
  op: 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';
  value: Literal;
}

export class ODataQueryError extends Error {}

const COMPARISON = /^(\w+)\s+(eq|ne|ge|gt|le|lt)\s+(.+)$/;

function parseLiteral(text: string): Literal {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  const typed = /^(datetimeoffset|datetime|guid)?'((?:[^']|'')*)'$/.exec(trimmed);
  if (typed) {
    const raw = typed[2].replace(/''/g, "'");
    if (typed[1] === 'guid') return raw.toLowerCase();
    if (typed[1]) {
      const ms = Date.parse(raw);
      if (Number.isNaN(ms)) throw new ODataQueryError(`Invalid date literal ${trimmed}`);
      return ms;
    }
    return raw;
  }
  if (/^-?\d+(\.\d+)?[mMdD]?$/.test(trimmed)) return Number(trimmed.replace(/[mMdD]$/, ''));
  throw new ODataQueryError(`Invalid literal ${trimmed}`);
}

export function parseFilter(filter: string | null): Comparison[] {
  if (!filter) return [];
  return filter.split(/\s+and\s+/i).map((part) => {
    const match = COMPARISON.exec(part.trim());
    if (!match) throw new ODataQueryError(`Unsupported $filter expression: ${part}`);
    return { field: match[1], op: match[2] as Comparison['op'], value: parseLiteral(match[3]) };
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
  const actual = valueOf(entity, c.field);
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

export function applyQuery<T extends object>(entities: T[], params: URLSearchParams): T[] {
  const filter = parseFilter(params.get('$filter'));
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
