export * from './common/material-movement';
export * from './material-movement-requested/v1';
export * from './material-movement-posted/v1';
export * from './material-movement-rejected/v1';
