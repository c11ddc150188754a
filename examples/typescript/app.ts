import { App } from 'aws-cdk-lib';
import { WhatsAppFlowsExampleStack } from './stack';

const app = new App();
new WhatsAppFlowsExampleStack(app, 'WhatsAppFlowsExample');
app.synth();
