export * from './data-source';
export * from './unit-of-work';
export * from './inbox/inbox-message.entity';
export * from './inbox/inbox';
export * from './outbox/outbox-message.entity';
export * from './outbox/outbox-relay';
export * from './persistence.module';
