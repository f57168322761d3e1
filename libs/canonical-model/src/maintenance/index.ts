export * from './notification-requested/v1';
export * from './notification-created/v1';
