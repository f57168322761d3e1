export * from './cycle-completed.v1';
