import {
  IsISO8601,
  IsNumber,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

// Composite validators for the identifiers and values every payload shares. Lengths follow the SAP
// data elements (ManufacturingOrder CHAR 12, Material CHAR 40, StorageLocation CHAR 4, Batch CHAR 10,
// OrderOperation CHAR 4, unit of measure CHAR 3) so a payload that validates can be posted to ERP.

type Rule = PropertyDecorator;
const all =
  (...rules: Rule[]): Rule =>
  (target, key) => {
    for (const rule of rules) rule(target, key);
  };

/** RFC 3339 timestamp with a zone; plain ISO 8601 would also accept a date without a time. */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A plant code; also the `<plant>` token of subjects, so no dots, spaces or wildcards. */
export const PLANT_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * A correlation id as the envelope carries it (and NATS headers): visible ASCII, up to 64
 * characters. An MES's `X-Correlation-Id` is checked against the same pattern, so a request is never
 * accepted whose events the envelope rules would refuse.
 */
export const CORRELATION_ID_PATTERN = /^[\x21-\x7e]{1,64}$/;

/**
 * Characters no text may hold: C0 controls other than tab, line feed and carriage return, and DEL.
 * PostgreSQL refuses NUL in text outright, and the rest have no business in a reason an operator
 * reads or a value ERP stores. Identifiers (order numbers, ids, units) may not hold those three
 * either.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_OR_LINE_BREAK = /[\x00-\x1f\x7f]/;
/**
 * A UTF-16 surrogate without its partner (JSON's `"\ud800"`) is no character at all: UTF-8 cannot
 * carry it, so PostgreSQL and SQLite store U+FFFD instead, and two different ids become one key
 * (seen: an equipment id of a lone surrogate failed its insert on every delivery). With the `u`
 * flag a pair is one code point and only a lone half matches.
 */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Text from elsewhere (an ERP message, a parse error quoting binary input) made fit for an
 * `IsText(max)` field: control characters replaced, cut to `max`.
 */
export function toText(value: string, max = 255): string {
  // Cut first: a cut can split a surrogate pair, and the half left is replaced with the rest.
  const text = value
    .slice(0, max)
    .replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), '\uFFFD')
    .replace(new RegExp(LONE_SURROGATE.source, 'gu'), '\uFFFD');
  return text === '' ? '(none)' : text;
}

/** No control characters (`forbidden`) and no unpaired surrogates: characters text can carry. */
const TextCharactersOnly = (forbidden = CONTROL_OR_LINE_BREAK): Rule =>
  ValidateBy({
    name: 'noControlCharacters',
    validator: {
      validate: (value) =>
        typeof value !== 'string' || (!forbidden.test(value) && !LONE_SURROGATE.test(value)),
      defaultMessage: () => '$property must not contain control characters or unpaired surrogates',
    },
  });

export const IsPlantCode = (): Rule => all(IsString(), Matches(PLANT_PATTERN));
export const IsOrderNumber = (): Rule => all(IsString(), Length(1, 12), TextCharactersOnly());
export const IsOperationNumber = (): Rule => all(IsString(), Matches(/^\d{4}$/));
export const IsMaterialNumber = (): Rule => all(IsString(), Length(1, 40), TextCharactersOnly());
export const IsStorageLocation = (): Rule => all(IsString(), Length(1, 4), TextCharactersOnly());
export const IsBatch = (): Rule => all(IsString(), Length(1, 10), TextCharactersOnly());
export const IsWorkCenter = (): Rule => all(IsString(), Length(1, 8), TextCharactersOnly());
export const IsUnitOfMeasure = (): Rule => all(IsString(), Length(1, 3), TextCharactersOnly());
export const IsIdentifier = (max = 64): Rule => all(IsString(), Length(1, max), TextCharactersOnly());
export const IsText = (max = 255): Rule =>
  all(IsString(), Length(1, max), TextCharactersOnly(CONTROL_CHARACTERS));
export const IsTimestamp = (): Rule =>
  all(
    IsString(),
    IsISO8601({ strict: true }, { message: '$property must be a real date and time (RFC 3339)' }),
    Matches(TIMESTAMP_PATTERN, {
      message: '$property must be an RFC 3339 timestamp with a zone, e.g. 2026-11-26T08:00:00Z',
    }),
  );
export const IsQuantity = (): Rule => all(IsNumber({ allowNaN: false, allowInfinity: false }), Min(0));

/** SAP's quantity fields are `Edm.Decimal` Precision 13, Scale 3: below 10^10, 3 decimals at most. */
export const SAP_QUANTITY_MAX = 9_999_999_999.999;

/**
 * A quantity ERP can take as it is: a finite number from 0 to {@link SAP_QUANTITY_MAX} with at most 3
 * decimals. Total for every number JSON can carry: class-validator's `maxDecimalPlaces` splits the
 * number's text at the dot and throws on exponent forms such as `1e-7`; here the number is compared
 * with itself rounded to 3 decimals, which refuses `1e-7` and `5e-324` and accepts `1e3`.
 */
export const IsSapQuantity = (): Rule =>
  all(
    IsNumber(
      { allowNaN: false, allowInfinity: false },
      { message: '$property must be a number with at most 3 decimals (SAP quantity)' },
    ),
    ValidateBy({
      name: 'sapQuantityScale',
      validator: {
        validate: (value) =>
          typeof value !== 'number' || !Number.isFinite(value) || hasAtMost3Decimals(value),
        defaultMessage: () => '$property must be a number with at most 3 decimals (SAP quantity)',
      },
    }),
    Min(0),
    Max(SAP_QUANTITY_MAX, { message: `$property must not exceed ${SAP_QUANTITY_MAX} (SAP quantity)` }),
  );

function hasAtMost3Decimals(value: number): boolean {
  return Number(value.toFixed(3)) === value;
}

/**
 * The field may be absent, but when present it must be valid: unlike `@IsOptional()`, `null` is an
 * error, which keeps the class and its generated JSON Schema in agreement.
 */
export const Optional = (): Rule => (target, key) =>
  ValidateIf((object: Record<string | symbol, unknown>) => object[key] !== undefined)(target, key);
