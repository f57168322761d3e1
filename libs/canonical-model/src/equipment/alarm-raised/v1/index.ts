export * from './alarm-raised.v1';
