export * from './order-released/v1';
export * from './order-acknowledged/v1';
export * from './operation-started/v1';
export * from './operation-completed/v1';
export * from './operation-confirmed/v1';
export * from './confirmation-posted/v1';
export * from './confirmation-failed/v1';
export * from './confirmation-retry-requested/v1';
