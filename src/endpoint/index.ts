export * from './whatsapp-flow-endpoint';
export * from './media-props';
