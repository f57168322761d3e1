export * from './fault-scripted-erp';
export * from './memory-ledger';
export * from './exactly-once';
