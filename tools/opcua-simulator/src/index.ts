export * from './line-simulator';
export * from './machine-model';
export * from './machine-condition';
export * from './control-api';
export * from './tag-load';
export * from './control-client';
export * from './counting-mapping';
