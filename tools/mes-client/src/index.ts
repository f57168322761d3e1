export * from './mes-client';
