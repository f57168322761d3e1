export * from './nonconformance-opened.v1';
