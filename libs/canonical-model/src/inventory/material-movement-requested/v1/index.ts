export * from './material-movement-requested.v1';
