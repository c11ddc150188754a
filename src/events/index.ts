export * from './whatsapp-flow-events';
// The detail of each event, for consumers that read it (a rule's target, a Lambda function in TypeScript or Python).
// `FlowEventDetails` (detail type → detail, in contract.ts) stays internal: its keys are the detail types' strings,
// which jsii cannot carry into other languages.
export * from './event-details';
