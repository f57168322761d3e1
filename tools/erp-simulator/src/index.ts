export * from './erp-simulator';
export * from './faults';
export * from './store';
