import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowProvider } from '../../src';

const FEEDBACK_JSON = path.join(__dirname, '..', '..', 'examples', 'flows', 'customer-feedback.json');

function stackWithFlow(): Stack {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new WhatsAppFlow(stack, 'Feedback', {
    whatsAppBusinessAccountId: 'waba-0123456789abcdef0123456789abcdef',
    flowName: 'customer_feedback',
    categories: [FlowCategory.SURVEY],
    flowJson: FlowJson.fromFile(FEEDBACK_JSON),
  });
  return stack;
}

/** The provider's two log groups: its handler's and the Provider framework's. */
function providerLogGroups(stack: Stack): any[] {
  const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
  return Object.entries(groups).filter(([id]) => id.startsWith('WhatsAppFlowProvider')).map(([, resource]) => resource);
}

test('one provider per stack; by default its two log groups keep logs for a month and go with the stack', () => {
  const stack = stackWithFlow();
  expect(WhatsAppFlowProvider.getOrCreate(stack)).toBe(WhatsAppFlowProvider.getOrCreate(stack.node.findChild('Feedback')));
  const groups = providerLogGroups(stack);
  expect(groups).toHaveLength(2);
  for (const group of groups) expect(group).toMatchObject({ Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
});

test('configureLogs after the resources are declared: both log groups', () => {
  const stack = stackWithFlow();
  WhatsAppFlowProvider.getOrCreate(stack).configureLogs({ retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  for (const group of providerLogGroups(stack)) {
    expect(group).toMatchObject({ Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  }
});

test('configureLogs before the resources are declared; INFINITE keeps logs forever', () => {
  const stack = new Stack(new App(), 'Test');
  WhatsAppFlowProvider.getOrCreate(stack).configureLogs({ retention: logs.RetentionDays.INFINITE });
  new WhatsAppFlow(stack, 'Feedback', {
    whatsAppBusinessAccountId: 'waba-0123456789abcdef0123456789abcdef',
    flowName: 'customer_feedback',
    categories: [FlowCategory.SURVEY],
  });
  const groups = providerLogGroups(stack);
  expect(groups).toHaveLength(2);
  for (const group of groups) expect(group.Properties?.RetentionInDays).toBeUndefined();
});
