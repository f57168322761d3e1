export * from './material-movement-posted.v1';
