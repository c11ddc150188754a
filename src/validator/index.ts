export * from './flow-json-validator';
export * from './answer-contract';
