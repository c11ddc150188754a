export * from './flow-category';
export * from './flow-json';
export * from './whatsapp-flow';
export * from './validator';
