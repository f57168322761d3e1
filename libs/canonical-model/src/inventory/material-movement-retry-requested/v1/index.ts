export * from './material-movement-retry-requested.v1';
