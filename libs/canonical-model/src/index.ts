// The payload classes' decorators (class-transformer @Type) read design-time metadata.
import 'reflect-metadata';

export * from './common';
export * from './catalog/event-definition';
export * from './catalog/event-catalog';
export * from './envelope/canonical-event';
export * from './envelope/envelope-attributes';
export * from './subjects/subject';
export * from './validation/validate';
export * from './validation/json-shape';
export * from './validation/decode-event';
export * from './schema/json-schema';
export * as Production from './production';
export * as Inventory from './inventory';
export * as Equipment from './equipment';
export * as Quality from './quality';
export * as Maintenance from './maintenance';
export * as Telemetry from './telemetry';
