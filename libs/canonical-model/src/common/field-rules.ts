import { IsISO8601, IsNumber, IsString, Length, Matches, Min, ValidateIf } from 'class-validator';

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

export const IsPlantCode = (): Rule => all(IsString(), Matches(PLANT_PATTERN));
export const IsOrderNumber = (): Rule => all(IsString(), Length(1, 12));
export const IsOperationNumber = (): Rule => all(IsString(), Matches(/^\d{4}$/));
export const IsMaterialNumber = (): Rule => all(IsString(), Length(1, 40));
export const IsStorageLocation = (): Rule => all(IsString(), Length(1, 4));
export const IsBatch = (): Rule => all(IsString(), Length(1, 10));
export const IsWorkCenter = (): Rule => all(IsString(), Length(1, 8));
export const IsUnitOfMeasure = (): Rule => all(IsString(), Length(1, 3));
export const IsIdentifier = (max = 64): Rule => all(IsString(), Length(1, max));
export const IsText = (max = 255): Rule => all(IsString(), Length(1, max));
export const IsTimestamp = (): Rule =>
  all(IsString(), IsISO8601({ strict: true }), Matches(TIMESTAMP_PATTERN));
export const IsQuantity = (): Rule => all(IsNumber({ allowNaN: false, allowInfinity: false }), Min(0));

/**
 * The field may be absent, but when present it must be valid: unlike `@IsOptional()`, `null` is an
 * error, which keeps the class and its generated JSON Schema in agreement.
 */
export const Optional = (): Rule => (target, key) =>
  ValidateIf((object: Record<string | symbol, unknown>) => object[key] !== undefined)(target, key);
