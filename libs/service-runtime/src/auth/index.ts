export * from './caller';
export * from './scopes';
export * from './token-verifier';
export * from './rate-limiter';
export * from './auth.guard';
