export * from './threshold-crossed.v1';
