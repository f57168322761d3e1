export * from './common/material-movement';
export * from './material-movement-requested/v1';
export * from './material-movement-posted/v1';
export * from './material-movement-rejected/v1';
export * from './material-movement-retry-requested/v1';
export * from './material-movement-discarded/v1';
export * from './stock-discrepancy-found/v1';
export * from './common/confirmation-movement-key';
