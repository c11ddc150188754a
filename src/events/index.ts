export * from './whatsapp-flow-events';
export { FlowEventDetailType } from './contract';
