export * from './common/equipment-event';
export * from './state-changed/v1';
export * from './cycle-completed/v1';
export * from './alarm-raised/v1';
export * from './alarm-cleared/v1';
export * from './threshold-crossed/v1';
export * from './production-counted/v1';
