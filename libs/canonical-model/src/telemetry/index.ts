export * from './samples-reported/v1';
