export * from './material-movement-discarded.v1';
