export * from './flow-json-validator';
