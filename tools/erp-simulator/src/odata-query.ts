import type { EdmType } from '@plantbridge/erp';

/**
 * The slice of OData V2 `$filter` / `$orderby` / `$top` / `$skip` the simulator understands:
 * comparisons joined by `and` and `or`, grouped with parentheses (`and` binds tighter, as in OData),
 * with string, boolean, number, `datetime'…'`, `datetimeoffset'…'` and `guid'…'` literals. Enough for
 * what the adapter sends; anything else is answered with SAP's 400. As in SAP, a literal must have
 * the Edm type of the property it is compared with (`OrderIsReleased eq true` is a 400: the flag is
 * an Edm.String), whether or not any entity matches.
 */

type Literal = string | number | boolean;
type Operator = 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';

interface Comparison {
  kind: 'comparison';
  field: string;
  op: Operator;
  value: Literal;
  type: EdmType;
}

/** A parsed `$filter`. */
export type Filter = Comparison | { kind: 'and' | 'or'; left: Filter; right: Filter };

/** The Edm type of each property of an entity set that may appear in `$filter` or `$orderby`. */
export type PropertyTypes = Record<string, EdmType>;

export class ODataQueryError extends Error {}

const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'ge', 'gt', 'le', 'lt']);

const TYPED_LITERAL: Record<string, EdmType> = {
  guid: 'Edm.Guid',
  datetime: 'Edm.DateTime',
  datetimeoffset: 'Edm.DateTimeOffset',
};

/** OData V2's `datetime'…'`: a date and time without zone, to the minute at least (`2017-12-31T00:00`). */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/;

/** A URI literal with its Edm type: `'…'`, `guid'…'`, `datetime'…'` (no zone: UTC), numbers, booleans. */
export function parseLiteral(text: string): { value: Literal; type: EdmType } {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return { value: trimmed === 'true', type: 'Edm.Boolean' };
  const typed = /^(datetimeoffset|datetime|guid)?'((?:[^']|'')*)'$/.exec(trimmed);
  if (typed) {
    const raw = typed[2].replace(/''/g, "'");
    if (!typed[1]) return { value: raw, type: 'Edm.String' };
    if (typed[1] === 'guid') return { value: raw.toLowerCase(), type: 'Edm.Guid' };
    if (typed[1] === 'datetime' && !DATETIME.test(raw))
      throw new ODataQueryError(`Invalid date literal ${trimmed}: datetime'yyyy-mm-ddThh:mm[:ss[.fffffff]]'`);
    const ms = Date.parse(typed[1] === 'datetime' ? `${raw}Z` : raw);
    if (Number.isNaN(ms)) throw new ODataQueryError(`Invalid date literal ${trimmed}`);
    return { value: ms, type: TYPED_LITERAL[typed[1]] };
  }
  if (/^-?\d+(\.\d+)?[mMdD]?$/.test(trimmed))
    return { value: Number(trimmed.replace(/[mMdD]$/, '')), type: 'Edm.Decimal' };
  throw new ODataQueryError(`Invalid literal ${trimmed}`);
}

/** `$filter`'s words, parentheses and literals; a quoted literal stays one token, whatever it holds. */
function tokenize(filter: string): string[] {
  const tokens: string[] = [];
  const token = /\s*(\(|\)|(?:datetimeoffset|datetime|guid)?'(?:[^']|'')*'|[^\s()]+)/y;
  while (token.lastIndex < filter.length) {
    if (/^\s*$/.test(filter.slice(token.lastIndex))) break;
    const match = token.exec(filter);
    if (!match) throw new ODataQueryError(`Unsupported $filter expression: ${filter}`);
    tokens.push(match[1]);
  }
  return tokens;
}

/** Recursive descent over the tokens: `or` of `and`s of comparisons or parenthesised filters. */
class FilterParser {
  private at = 0;

  constructor(
    private readonly tokens: string[],
    private readonly types: PropertyTypes,
    private readonly text: string,
  ) {}

  parse(): Filter {
    const filter = this.or();
    if (this.at < this.tokens.length) this.unsupported();
    return filter;
  }

  private or(): Filter {
    let left = this.and();
    while (this.peekWord('or')) {
      this.at++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Filter {
    let left = this.primary();
    while (this.peekWord('and')) {
      this.at++;
      left = { kind: 'and', left, right: this.primary() };
    }
    return left;
  }

  private primary(): Filter {
    if (this.tokens[this.at] === '(') {
      this.at++;
      const inner = this.or();
      if (this.tokens[this.at] !== ')') this.unsupported();
      this.at++;
      return inner;
    }
    const [field, op, literalText] = this.tokens.slice(this.at, this.at + 3);
    if (!field || !/^\w+$/.test(field) || !op || !OPERATORS.has(op) || literalText === undefined)
      this.unsupported();
    this.at += 3;
    const property = this.types[field];
    if (!property) throw new ODataQueryError(`Property ${field} not found`);
    const literal = parseLiteral(literalText);
    if (literal.type !== property)
      throw new ODataQueryError(
        `Invalid filter: operator '${op}' incompatible with operand types ${property} (${field}) and ${literal.type}`,
      );
    return { kind: 'comparison', field, op: op as Operator, ...literal };
  }

  private peekWord(word: string): boolean {
    return this.tokens[this.at]?.toLowerCase() === word;
  }

  private unsupported(): never {
    throw new ODataQueryError(`Unsupported $filter expression: ${this.text}`);
  }
}

export function parseFilter(filter: string | null, types: PropertyTypes): Filter | undefined {
  if (!filter?.trim()) return undefined;
  return new FilterParser(tokenize(filter), types, filter).parse();
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

function holds(entity: object, filter: Filter): boolean {
  if (filter.kind !== 'comparison')
    return filter.kind === 'and'
      ? holds(entity, filter.left) && holds(entity, filter.right)
      : holds(entity, filter.left) || holds(entity, filter.right);
  const value = valueOf(entity, filter.field);
  // A GUID is a number, whatever case its text comes in.
  const actual = filter.type === 'Edm.Guid' && typeof value === 'string' ? value.toLowerCase() : value;
  switch (filter.op) {
    case 'eq':
      return actual === filter.value;
    case 'ne':
      return actual !== filter.value;
    case 'ge':
      return actual >= filter.value;
    case 'gt':
      return actual > filter.value;
    case 'le':
      return actual <= filter.value;
    case 'lt':
      return actual < filter.value;
  }
}

export function applyQuery<T extends object>(
  entities: T[],
  params: URLSearchParams,
  types: PropertyTypes,
): T[] {
  const filter = parseFilter(params.get('$filter'), types);
  let result = filter ? entities.filter((e) => holds(e, filter)) : entities;
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

/** A resource path: an entity set, a key predicate when it addresses one entity, a navigation after it. */
export interface ResourcePath {
  set: string;
  /** `('…')` as `['…']`, `(A='…',B='…')` by name. */
  key?: string[] | Record<string, string>;
  navigation?: string;
}

const KEY_PART = /^(?:(\w+)=)?'((?:[^']|'')*)'$/;

/** `/A_ProductPlant(Product='RM-100',Plant='P100')/to_StorageLocation` and its parts; undefined when not one. */
export function parseResourcePath(path: string): ResourcePath | undefined {
  const match = /^\/(\w+)(?:\(((?:[^')]|'(?:[^']|'')*')*)\))?(?:\/(\w+))?$/.exec(path);
  if (!match) return undefined;
  const [, set, predicate, navigation] = match;
  if (predicate === undefined) return navigation ? undefined : { set };
  const parts = predicate.match(/(?:\w+=)?'(?:[^']|'')*'/g) ?? [];
  if (parts.join(',') !== predicate) return undefined;
  const parsed = parts.map((part) => KEY_PART.exec(part) as RegExpExecArray);
  // The key as sent: URL-encoded in the path (see odataKey), quotes doubled inside the literal.
  const value = (p: RegExpExecArray) => decodeURIComponent(p[2]).replace(/''/g, "'");
  const named = parsed.every((p) => p[1]);
  if (!named && parsed.length !== 1) return undefined;
  const key = named ? Object.fromEntries(parsed.map((p) => [p[1], value(p)])) : [value(parsed[0])];
  return { set, key, navigation };
}
