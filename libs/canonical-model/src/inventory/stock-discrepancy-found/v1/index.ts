export * from './stock-discrepancy-found.v1';
