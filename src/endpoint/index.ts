export * from './whatsapp-flow-endpoint';
