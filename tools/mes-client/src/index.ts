export * from './mes-client';
export * from './mes-script';
