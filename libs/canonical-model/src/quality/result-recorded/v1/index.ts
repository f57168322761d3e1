export * from './result-recorded.v1';
