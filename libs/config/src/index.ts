export * from './load-config';
export * from './service-config';
export * from './erp-service-config';
export * from './setting-rules';
