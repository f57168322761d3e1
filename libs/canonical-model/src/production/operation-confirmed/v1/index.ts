export * from './operation-confirmed.v1';
