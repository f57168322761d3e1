export * from './capability';
export * from './field-rules';
export * from './production-context';
