export * from './alarm-cleared.v1';
