export * from './erp-simulator';
export * from './faults';
export * from './store';
export * from './materials-master';
export * from './stock-ledger';
export * from './material-documents';
