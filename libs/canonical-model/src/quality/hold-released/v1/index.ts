export * from './hold-released.v1';
