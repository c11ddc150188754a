/**
 * Integration test: deploys a published Flow and a message template whose FLOW button opens it, then asserts with
 * the service's own read APIs that the Flow is PUBLISHED (GetWhatsAppFlow) and that Meta has the template, with its
 * FLOW button (GetWhatsAppMessageTemplate).
 *
 * The snapshot in integ.whatsapp-flow.ts.snapshot is checked by the test suite. To deploy it against a real
 * account whose WhatsApp Business Account is linked to AWS End User Messaging Social:
 *
 *   npx integ-runner --directory test --language typescript --update-on-failed --force \
 *     --app "npx ts-node --project tsconfig.dev.json {filePath}" --context wabaId=waba-… --context integName=cdk_integ_…
 *
 * Publishing cannot be undone: when the stack is destroyed the Flow is deprecated, and a deprecated Flow keeps its
 * name; Meta also keeps a deleted template's name for a while. Give each run its own `integName` (lowercase letters,
 * digits and underscores), which names both the Flow and the template.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { FlowButton, FlowCategory, FlowJson, TemplateCategory, WhatsAppFlow, WhatsAppMessageTemplate } from '../src';

const app = new App();
const stack = new Stack(app, 'WhatsAppFlowIntegStack');
const wabaId = app.node.tryGetContext('wabaId') ?? 'waba-0123456789abcdef0123456789abcdef';
const name: string = app.node.tryGetContext('integName') ?? 'cdk_whatsapp_flows_integ';
const BUTTON_TEXT = 'Give feedback';

const flow = new WhatsAppFlow(stack, 'Feedback', {
  whatsAppBusinessAccountId: wabaId,
  flowName: name,
  categories: [FlowCategory.SURVEY],
  flowJson: FlowJson.fromFile(path.join(__dirname, '..', 'examples', 'flows', 'customer-feedback.json')),
  publish: true,
});

const template = new WhatsAppMessageTemplate(stack, 'FeedbackRequest', {
  templateName: name,
  language: 'en_US',
  category: TemplateCategory.MARKETING,
  body: 'Thanks for your visit! Tell us how it went: it takes one minute.',
  flowButton: FlowButton.navigate(flow, { text: BUTTON_TEXT, screen: 'RECOMMEND' }),
});

const integ = new IntegTest(app, 'WhatsAppFlowInteg', { testCases: [stack] });

// The Flow was published by the deploy.
const getFlow = integ.assertions.awsApiCall('SocialMessaging', 'GetWhatsAppFlow', { id: wabaId, flowId: flow.flowId });
getFlow.expect(ExpectedResult.objectLike({ flowId: flow.flowId, flowName: name, flowStatus: 'PUBLISHED' }));

// Meta has the template (in review or approved: either way it exists), in its language, with the FLOW button.
// Its definition is Meta's JSON, as a string; Meta spells component types in capitals, and may in lower case.
const getTemplate = integ.assertions.awsApiCall('SocialMessaging', 'GetWhatsAppMessageTemplate', {
  id: wabaId,
  metaTemplateId: template.metaTemplateId,
});
getTemplate.expect(ExpectedResult.objectLike({
  template: Match.serializedJson({
    name,
    language: 'en_US',
    components: Match.arrayWith([Match.objectLike({
      type: Match.stringLikeRegexp('^(BUTTONS|buttons)$'),
      buttons: Match.arrayWith([Match.objectLike({ type: Match.stringLikeRegexp('^(FLOW|flow)$'), text: BUTTON_TEXT })]),
    })]),
  }),
}));

// The assertion framework grants its function each call's action itself, with End User Messaging Social's IAM prefix
// (social-messaging:GetWhatsAppFlow, social-messaging:GetWhatsAppMessageTemplate), on '*': the test account's.
