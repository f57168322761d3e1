export * from './hold-placed.v1';
