import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { FlowEventDetailType, WhatsAppFlow, WhatsAppFlowEvents } from '../../src';

const ENV = { account: '111111111111', region: 'us-east-1' };
const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:waba-events';
const DEFAULT_BUS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111111111111:event-bus/default']] };

function newStack(): Stack {
  return new Stack(new App(), 'Events', { env: ENV });
}

function flowEvents(stack: Stack, props: { eventBus?: events.IEventBus; deadLetterQueue?: sqs.IQueue } = {}): WhatsAppFlowEvents {
  return new WhatsAppFlowEvents(stack, 'FlowEvents', { topic: sns.Topic.fromTopicArn(stack, 'WabaTopic', TOPIC_ARN), ...props });
}

function onlyResource(template: Template, type: string): { logicalId: string; properties: Record<string, any> } {
  const found = template.findResources(type);
  expect(Object.keys(found)).toHaveLength(1);
  const [logicalId, resource] = Object.entries(found)[0];
  return { logicalId, properties: resource.Properties };
}

describe('the function and its subscription', () => {
  test('subscribed to the topic, with the dead-letter queue on the subscription and on the function', () => {
    const stack = newStack();
    flowEvents(stack);
    const template = Template.fromStack(stack);
    const queue = onlyResource(template, 'AWS::SQS::Queue');
    const fn = onlyResource(template, 'AWS::Lambda::Function');

    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: TOPIC_ARN,
      Endpoint: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] } },
    });
    expect(fn.properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 30,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] } },
      Environment: { Variables: { EVENT_BUS_NAME: DEFAULT_BUS_ARN } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: TOPIC_ARN });
    expect(queue.properties).toEqual({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  test('least privilege: PutEvents on the bus only, SendMessage on the dead-letter queue only, logs on its own group', () => {
    const stack = newStack();
    flowEvents(stack);
    const template = Template.fromStack(stack);
    const queue = onlyResource(template, 'AWS::SQS::Queue');
    const logGroup = onlyResource(template, 'AWS::Logs::LogGroup');
    const policy = onlyResource(template, 'AWS::IAM::Policy');
    const statements = policy.properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logGroup.logicalId, 'Arn'] } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] } },
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: DEFAULT_BUS_ARN },
    ]));
    expect(statements).toHaveLength(3);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(onlyResource(template, 'AWS::IAM::Role').properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the queue lets SNS send only from the WABA topic, and refuses requests without TLS', () => {
    const stack = newStack();
    flowEvents(stack);
    const statements = onlyResource(Template.fromStack(stack), 'AWS::SQS::QueuePolicy').properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
      }),
    ]));
    expect(statements).toHaveLength(2);
  });

  test('a bus and a queue of one\'s own', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    const queue = new sqs.Queue(stack, 'MyDlq', { enforceSSL: true });
    const fe = flowEvents(stack, { eventBus: bus, deadLetterQueue: queue });
    expect(fe.eventBus).toBe(bus);
    expect(fe.deadLetterQueue).toBe(queue);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { EVENT_BUS_NAME: { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus), 'Arn'] } } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus), 'Arn'] } }]) },
    });
  });
});

describe('rules', () => {
  test('onStatusChange: the Flow\'s id and the statuses', () => {
    const stack = newStack();
    const fe = flowEvents(stack);
    const flow = WhatsAppFlow.fromFlowAttributes(stack, 'Flow', { whatsAppBusinessAccountId: 'waba-123', flowId: '6627390910605886' });
    const oncall = new sns.Topic(stack, 'Oncall');
    fe.onStatusChange('PageOnBlocked', { flow, newStatuses: ['BLOCKED', 'THROTTLED'], target: new targets.SnsTopic(oncall), description: 'pages' });
    const rule = onlyResource(Template.fromStack(stack), 'AWS::Events::Rule').properties;
    expect(rule.EventPattern).toEqual({
      'source': ['cdk-whatsapp-flows'],
      'detail-type': ['WhatsApp Flow Status Change'],
      'detail': { flowId: ['6627390910605886'], newStatus: ['BLOCKED', 'THROTTLED'] },
    });
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.Description).toBe('pages');
    expect(rule.Targets).toHaveLength(1);
  });

  test('onStatusChange with old statuses; without filters it matches every status change', () => {
    const stack = newStack();
    const fe = flowEvents(stack);
    const recovered = fe.onStatusChange('Recovered', { oldStatuses: ['BLOCKED'], newStatuses: ['PUBLISHED'] });
    const every = fe.onStatusChange('Every');
    const template = Template.fromStack(stack);
    const pattern = (rule: events.Rule) =>
      template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern;
    expect(pattern(recovered).detail).toEqual({ oldStatus: ['BLOCKED'], newStatus: ['PUBLISHED'] });
    expect(pattern(every)).toEqual({ 'source': ['cdk-whatsapp-flows'], 'detail-type': ['WhatsApp Flow Status Change'] });
  });

  test('onResponse: prefix matching on the flow token', () => {
    const stack = newStack();
    const fe = flowEvents(stack);
    fe.onResponse('StoreAnswers', { flowTokenPrefix: 'booking-' });
    expect(onlyResource(Template.fromStack(stack), 'AWS::Events::Rule').properties.EventPattern).toEqual({
      'source': ['cdk-whatsapp-flows'],
      'detail-type': ['WhatsApp Flow Response'],
      'detail': { flowToken: [{ prefix: 'booking-' }] },
    });
  });

  test('onVersionExpiryWarning: for one Flow, on a bus of one\'s own; a pattern of one\'s own is merged', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    const fe = flowEvents(stack, { eventBus: bus });
    const flow = WhatsAppFlow.fromFlowAttributes(stack, 'Flow', { whatsAppBusinessAccountId: 'waba-123', flowId: '42' });
    fe.onVersionExpiryWarning('Upgrade', { flow, eventPattern: { detail: { wabaId: ['1234567890abcde'] } } });
    const rule = onlyResource(Template.fromStack(stack), 'AWS::Events::Rule').properties;
    expect(rule.EventPattern).toEqual({
      'source': ['cdk-whatsapp-flows'],
      'detail-type': ['WhatsApp Flow Version Expiry Warning'],
      'detail': { wabaId: ['1234567890abcde'], flowId: ['42'] },
    });
    expect(rule.EventBusName).toEqual({ Ref: stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus) });
  });

  test('the source and detail types are the ones the function writes', () => {
    expect(WhatsAppFlowEvents.EVENT_SOURCE).toBe('cdk-whatsapp-flows');
    expect(Object.values(FlowEventDetailType)).toEqual(['WhatsApp Flow Response', 'WhatsApp Flow Status Change', 'WhatsApp Flow Version Expiry Warning']);
  });
});

describe('metrics', () => {
  test('malformed messages and published events, by the function\'s name', () => {
    const stack = newStack();
    const fe = flowEvents(stack);
    const malformed = fe.metricMalformedMessages({ period: Duration.minutes(1) });
    expect(malformed).toMatchObject({ namespace: 'cdk-whatsapp-flows/FlowEvents', metricName: 'MalformedMessages', statistic: 'Sum' });
    const functionId = stack.getLogicalId(fe.handler.node.defaultChild as lambda.CfnFunction);
    expect(stack.resolve(malformed.dimensions)).toEqual({ FunctionName: { Ref: functionId } });
    expect(malformed.period.toMinutes()).toBe(1);
    expect(fe.metricPublishedEvents(FlowEventDetailType.STATUS_CHANGE).metricName).toBe('FlowStatusChanges');
    expect(fe.metricPublishedEvents(FlowEventDetailType.RESPONSE).metricName).toBe('FlowResponses');
  });
});

test('cdk-nag AwsSolutionsChecks: clean; every suppression has a reason', () => {
  const app = new App();
  const stack = new Stack(app, 'FlowEventsNag', { env: ENV });
  const fe = flowEvents(stack);
  fe.onStatusChange('Blocked', { newStatuses: ['BLOCKED'] });
  fe.onResponse('Answers', { flowTokenPrefix: 'booking-' });
  fe.onVersionExpiryWarning('Upgrade');
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/FlowEventsNag/FlowEvents/Handler/Resource'], [
    { id: 'AwsSolutions-L1', reason: 'The function is pinned to nodejs22.x, the runtime its bundled AWS SDK is built and tested for.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/FlowEventsNag/FlowEvents/DeadLetterQueue/Resource'], [
    { id: 'AwsSolutions-SQS3', reason: 'The queue is itself a dead-letter queue: of the SNS subscription and of the function\'s asynchronous invocations.' },
  ]);
  app.synth();
  const findings = [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ];
  expect(findings.map((f) => `${f.id}: ${f.entry.data}`)).toEqual([]);
});

describe('the media bucket', () => {
  test('without one: no media environment, no S3 or social-messaging permission, a 30 s timeout', () => {
    const stack = newStack();
    flowEvents(stack);
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).not.toMatch(/MEDIA_BUCKET_NAME|s3:PutObject|social-messaging:/);
  });

  test('with one: s3:PutObject under the prefix only, GetWhatsAppMessageMedia on the account\'s phone numbers, the KMS key to encrypt', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Media', { encryption: s3.BucketEncryption.KMS });
    const fe = new WhatsAppFlowEvents(stack, 'FlowEvents', { topic: sns.Topic.fromTopicArn(stack, 'WabaTopic', TOPIC_ARN), mediaBucket: bucket, mediaPrefix: 'flows/media/' });
    expect(fe.mediaBucket).toBe(bucket);
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(fn.Timeout).toBe(90);
    expect(fn.Environment.Variables).toMatchObject({ MEDIA_BUCKET_NAME: { Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }, MEDIA_KEY_PREFIX: 'flows/media/' });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const media = statements.find((st: any) => st.Action === 'social-messaging:GetWhatsAppMessageMedia');
    expect(media.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:111111111111:phone-number-id/*']] });
    const put = statements.find((st: any) => st.Action === 's3:PutObject');
    expect(JSON.stringify(put.Resource)).toContain('/flows/media/*');
    // Nothing else on the bucket: no read, no delete, no listing.
    expect(JSON.stringify(statements)).not.toMatch(/s3:(Get|Delete|List|Abort|PutObjectAcl)/);
    expect(statements.find((st: any) => Array.isArray(st.Action) && st.Action.includes('kms:GenerateDataKey'))).toBeDefined();
    expect(statements.every((st: any) => st.Resource !== '*' || !String(st.Action).startsWith('social-messaging'))).toBe(true);
  });

  test('a prefix that does not end with / fails synth', () => {
    const stack = newStack();
    new WhatsAppFlowEvents(stack, 'FlowEvents', {
      topic: sns.Topic.fromTopicArn(stack, 'WabaTopic', TOPIC_ARN), mediaBucket: new s3.Bucket(stack, 'Media'), mediaPrefix: 'media',
    });
    expect(() => Template.fromStack(stack)).toThrow(/mediaPrefix 'media' must be empty or end with '\/'/);
  });
});

describe('the function\'s log group', () => {
  test('by default its own, kept for a month; a given log group is used instead, and the function may write to it', () => {
    const byDefault = Template.fromStack((() => { const s = newStack(); flowEvents(s); return s; })());
    byDefault.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });

    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'FlowEventLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    new WhatsAppFlowEvents(stack, 'FlowEvents', { topic: sns.Topic.fromTopicArn(stack, 'WabaTopic', TOPIC_ARN), logGroup });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FlowEventLogs') } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowEventLogs'), 'Arn'] } }),
        ]),
      },
    });
  });
});
