/**
 * Integration test: deploys a draft Flow and asserts its status with GetWhatsAppFlow.
 *
 * The snapshot in integ.whatsapp-flow.ts.snapshot is checked by the test suite. To deploy it against a real
 * account whose WhatsApp Business Account is linked to AWS End User Messaging Social:
 *
 *   npx integ-runner --directory test --language typescript --update-on-failed --force \
 *     --app "npx ts-node --project tsconfig.dev.json {filePath}" --context wabaId=waba-…
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, WhatsAppFlow } from '../src';

const app = new App();
const stack = new Stack(app, 'WhatsAppFlowIntegStack');
const wabaId = app.node.tryGetContext('wabaId') ?? 'waba-0123456789abcdef0123456789abcdef';

const flow = new WhatsAppFlow(stack, 'Feedback', {
  whatsAppBusinessAccountId: wabaId,
  flowName: 'cdk_whatsapp_flows_integ',
  categories: [FlowCategory.SURVEY],
  flowJson: FlowJson.fromFile(path.join(__dirname, '..', 'examples', 'flows', 'customer-feedback.json')),
});

const integ = new IntegTest(app, 'WhatsAppFlowInteg', { testCases: [stack] });
const getFlow = integ.assertions.awsApiCall('SocialMessaging', 'GetWhatsAppFlow', { id: wabaId, flowId: flow.flowId });
getFlow.expect(ExpectedResult.objectLike({ flowId: flow.flowId, flowName: 'cdk_whatsapp_flows_integ', flowStatus: 'DRAFT' }));
// The IAM prefix of End User Messaging Social is social-messaging, not the SDK's client name.
getFlow.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['social-messaging:GetWhatsAppFlow'],
  Resource: [flow.whatsAppBusinessAccountArn],
});
