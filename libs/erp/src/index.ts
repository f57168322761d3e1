export * from './erp-port';
export * from './errors';
export * from './resilience';
export * from './settings';
export * from './sap/sap-entities';
export * from './sap/sap-erp-adapter';
export * from './sap/odata-values';
export type { SapErrorBody } from './sap/sap-error-body';
export * from './sap/odata-batch';
