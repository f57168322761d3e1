export * from './material-movement-rejected.v1';
