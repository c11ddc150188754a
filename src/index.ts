export * from './endpoint';
export * from './flow/flow-category';
export * from './flow/flow-endpoint';
export * from './flow/flow-json';
export * from './flow/whatsapp-flow';
export * from './validator';
export * from './events';
