export * from './production-counted.v1';
