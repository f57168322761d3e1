export * from './state-changed.v1';
