export * from './inspection-requested.v1';
