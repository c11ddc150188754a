import { App, Aspects, Annotations as CdkAnnotations, CfnParameter, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { FlowCategory, FlowJson, IFlowEndpoint, WhatsAppFlow, WhatsAppFlowEndpoint, WhatsAppFlowEndpointProps } from '../../src';
import { ENDPOINT_DEFAULT_RESERVED_CONCURRENCY, EndpointEnv, KEY_REGISTRATION_RESOURCE_TYPE } from '../../src/endpoint/contract';
import { synthErrors } from '../support/synth';

const PHONE = 'phone-number-id-0123456789abcdef01';
const PHONE_ARN = 'arn:aws:social-messaging:us-east-1:111111111111:phone-number-id/0123456789abcdef02';

function newStack(): Stack {
  return new Stack(new App(), 'EndpointStack', { env: { account: '111111111111', region: 'us-east-1' } });
}

function userFunction(stack: Stack, id = 'BookingLogic'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {"screen": "DONE", "data": {}}\n'),
  });
}

function endpointStack(props: Partial<WhatsAppFlowEndpointProps> = {}) {
  const stack = newStack();
  const handler = userFunction(stack);
  const endpoint = new WhatsAppFlowEndpoint(stack, 'BookingEndpoint', { handler, phoneNumberIds: [PHONE, PHONE_ARN], ...props });
  // Synthesized on first read, so that a test can add to the stack first.
  return { stack, handler, endpoint, get template() { return Template.fromStack(stack); } };
}

const DYNAMIC_FLOW = {
  version: '7.0',
  data_api_version: '3.0',
  routing_model: { PICK: [] },
  screens: [{
    id: 'PICK',
    title: 'Pick',
    terminal: true,
    layout: {
      type: 'SingleColumnLayout',
      children: [{ 'type': 'Footer', 'label': 'Book', 'on-click-action': { name: 'data_exchange', payload: {} } }],
    },
  }],
};

describe('the key', () => {
  test('an RSA_2048 ENCRYPT_DECRYPT key, retained, whose policy lets the service read the public key for this account and only the endpoint decrypt', () => {
    const { template } = endpointStack();
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }),
    });
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const statements = key.Properties.KeyPolicy.Statement;
    const roleArn = { 'Fn::GetAtt': [expect.stringMatching(/^BookingEndpointRole[0-9A-F]+$/), 'Arn'] };
    expect(statements).toEqual([
      // aws-cdk-lib's default: the account administers the key (and keeps it manageable).
      expect.objectContaining({ Action: 'kms:*', Effect: 'Allow', Principal: { AWS: expect.anything() } }),
      {
        Sid: 'SocialMessagingReadsThePublicKey',
        Action: 'kms:GetPublicKey',
        Effect: 'Allow',
        Principal: { Service: 'social-messaging.amazonaws.com' },
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      },
      {
        Sid: 'TheEndpointsDecrypt',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Principal: { AWS: roleArn },
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } },
      },
      {
        Sid: 'NobodyElseDecrypts',
        Action: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn] } },
      },
    ]);
  });

  test('a key of the app that is passed in gets the same statements; no key is made', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE], key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(endpoint.key).toBe(key);
    const sids = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual([undefined, 'SocialMessagingReadsThePublicKey', 'TheEndpointsDecrypt', 'NobodyElseDecrypts']);
  });

  test('an imported key: the role decrypts by its own policy, and a warning says what the key policy must allow', () => {
    const stack = newStack();
    const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';
    new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE], key: kms.Key.fromKeyArn(stack, 'Imported', keyArn) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn }]) },
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cannot be changed by this app'));
    expect(warnings).toHaveLength(1);
  });
});

describe('the function and its URL', () => {
  test('a Function URL with auth NONE, POST only for browsers, buffered', () => {
    const { template } = endpointStack();
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      Cors: { AllowMethods: ['POST'] },
    });
  });

  test('a timeout that leaves Meta\'s 10 seconds a margin, the key and the handler in its environment, 20 reserved concurrency by default', () => {
    const { template, stack } = endpointStack();
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 8 } });
    expect(Object.keys(functions)).toHaveLength(1);
    const fn = Object.values(functions)[0].Properties;
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.ReservedConcurrentExecutions).toBe(ENDPOINT_DEFAULT_RESERVED_CONCURRENCY);
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual(['AWS_NODEJS_CONNECTION_REUSE_ENABLED', EndpointEnv.HANDLER_FUNCTION, EndpointEnv.KMS_KEY_ID].sort());
    expect(stack.resolve(fn.Environment.Variables[EndpointEnv.HANDLER_FUNCTION])).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BookingLogic/), 'Arn'] });
  });

  test('reserved concurrency, the app secret and the error message when asked', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'AppSecret');
    new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack),
      phoneNumberIds: [PHONE],
      appSecret: secret,
      verifyFlowTokenSignature: true,
      errorMessage: 'Please try again in a minute.',
      reservedConcurrentExecutions: 20,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 8,
      ReservedConcurrentExecutions: 20,
      Environment: {
        Variables: Match.objectLike({
          [EndpointEnv.APP_SECRET_ARN]: { Ref: Match.stringLikeRegexp('^AppSecret') },
          [EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE]: 'true',
          [EndpointEnv.ERROR_MESSAGE]: 'Please try again in a minute.',
        }),
      },
    });
  });

  test('the role: exactly the logs, invoking the handler by its own ARN, and reading the app secret', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'AppSecret');
    new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: secret });
    const template = Template.fromStack(stack);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^EndpointRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EndpointLogs/), 'Arn'] } },
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BookingLogic/), 'Arn'] } },
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^AppSecret/) } },
    ]);
  });
});

describe('the key registration', () => {
  test('a Custom::WhatsAppBusinessPublicKey on the stack\'s one provider, with the key ARN and the phone number ids', () => {
    const { template, stack } = endpointStack();
    const registrations = template.findResources(KEY_REGISTRATION_RESOURCE_TYPE);
    expect(Object.keys(registrations)).toHaveLength(1);
    const registration = Object.values(registrations)[0];
    expect(stack.resolve(registration.Properties.KmsKeyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BookingEndpointKey/), 'Arn'] });
    // An ARN is passed on as the id the API takes.
    expect(registration.Properties.PhoneNumberIds).toEqual([PHONE, 'phone-number-id-0123456789abcdef02']);
    // After the key's policy lets the service read it, and after the function that decrypts with it is deployed.
    expect(registration.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^BookingEndpointKey/),
      expect.stringMatching(/^BookingEndpointFunction[0-9A-F]{8}$/),
    ]));
  });

  test('the provider may put and get the public key on each phone number\'s ARN, and nothing else of social-messaging', () => {
    const { template } = endpointStack();
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^WhatsAppFlowProviderOnEventRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action).includes('social-messaging'));
    expect(statements).toEqual([{
      Action: ['social-messaging:PutWhatsAppBusinessPublicKey', 'social-messaging:GetWhatsAppBusinessPublicKey'],
      Effect: 'Allow',
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:111111111111:phone-number-id/0123456789abcdef01']] },
        PHONE_ARN,
      ],
    }]);
  });

  test('keyRegistered: something the user declares waits for the registration, which is exposed as a dependable only', () => {
    const built = endpointStack();
    const { stack, endpoint } = built;
    const other = new lambda.Function(stack, 'PublishesElsewhere', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'index.handler',
      code: lambda.Code.fromInline('def handler(event, context):\n    return None\n'),
    });
    other.node.addDependency(endpoint.keyRegistered);
    const template = built.template;
    const registrationId = Object.keys(template.findResources(KEY_REGISTRATION_RESOURCE_TYPE))[0];
    template.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({ Handler: 'index.handler', Runtime: 'python3.13', Code: { ZipFile: Match.stringLikeRegexp('return None') } }),
      DependsOn: Match.arrayWith([registrationId]),
    });
    // Not the CustomResource itself: its properties and attributes are the library's, not the API.
    expect(endpoint.keyRegistered).not.toBeInstanceOf(CustomResource);
  });

  test('a token phone number id becomes an ARN without its prefix', () => {
    const stack = newStack();
    const id = new CfnParameter(stack, 'Phone').valueAsString;
    new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [id] });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^WhatsAppFlowProviderOnEventRole') }] },
    });
    const resource = Object.values(policies)[0].Properties.PolicyDocument.Statement
      .find((s: any) => JSON.stringify(s.Action).includes('PutWhatsAppBusinessPublicKey')).Resource;
    expect(JSON.stringify(resource)).toContain('{"Fn::Select":[1,{"Fn::Split":["phone-number-id-",{"Ref":"Phone"}]}]}');
  });
});

describe('a WhatsAppFlow with the endpoint', () => {
  test('the Flow\'s endpointUri is the Function URL, and it is made after the URL and the key registration', () => {
    const { stack, endpoint } = endpointStack();
    new WhatsAppFlow(stack, 'Booking', {
      whatsAppBusinessAccountId: 'waba-0123456789',
      flowName: 'booking',
      categories: [FlowCategory.APPOINTMENT_BOOKING],
      flowJson: FlowJson.fromObject(DYNAMIC_FLOW),
      endpoint,
      publish: true,
    });
    const template = Template.fromStack(stack);
    const flow = Object.values(template.findResources('Custom::WhatsAppFlow'))[0];
    expect(flow.Properties.EndpointUri).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BookingEndpointFunctionFunctionUrl/), 'FunctionUrl'] });
    // The function, its URL and the URL's two public invoke permissions (without them Meta's health check gets a
    // 403), and the key registration.
    expect(flow.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^BookingEndpointFunction[0-9A-F]{8}$/),
      expect.stringMatching(/^BookingEndpointFunctionFunctionUrl/),
      expect.stringMatching(/^BookingEndpointFunctioninvokefunctionurl/),
      expect.stringMatching(/^BookingEndpointFunctioninvokefunction[0-9A-F]{8}$/),
      expect.stringMatching(/^BookingEndpointKeyRegistration/),
    ]));
  });

  test('the Flow and the key registration share the one provider: the stack\'s number of provider functions stays the same', () => {
    const { stack, endpoint } = endpointStack();
    new WhatsAppFlow(stack, 'Booking', {
      whatsAppBusinessAccountId: 'waba-0123456789',
      flowName: 'booking',
      categories: [FlowCategory.APPOINTMENT_BOOKING],
      flowJson: FlowJson.fromObject(DYNAMIC_FLOW),
      endpoint,
    });
    const template = Template.fromStack(stack);
    // The provider's handler and its framework functions (onEvent, isComplete, onTimeout), the endpoint function and
    // the user's function.
    template.resourceCountIs('AWS::Lambda::Function', 6);
  });
});

test('the 427 contract\'s value is public, for handlers written in TypeScript or Python', () => {
  expect(WhatsAppFlowEndpoint.INVALID_FLOW_TOKEN).toBe('invalid_flow_token');
});

describe('props are checked at synth time', () => {
  test.each([
    [{ phoneNumberIds: [] }, 'phoneNumberIds must name at least one phone number'],
    [{ phoneNumberIds: ['+14085550100'] }, '\'+14085550100\' is neither a phone number id'],
    [{ phoneNumberIds: [PHONE, PHONE] }, `phoneNumberIds names ${PHONE} more than once`],
    [{ phoneNumberIds: [PHONE, 'arn:aws:social-messaging:us-east-1:111111111111:phone-number-id/0123456789abcdef01'] }, `phoneNumberIds names ${PHONE} more than once`],
    [{ verifyFlowTokenSignature: true }, 'verifyFlowTokenSignature needs appSecret'],
    [{ errorMessage: ' ' }, 'errorMessage must be 1 to 200 characters long'],
    [{ reservedConcurrentExecutions: 0 }, 'reservedConcurrentExecutions must be a whole number of at least 1, not 0'],
  ])('%j', (props, message) => {
    // Constructing succeeds: the synth reports the problem, naming the construct.
    const { stack } = endpointStack(props as Partial<WhatsAppFlowEndpointProps>);
    expect(synthErrors(stack)).toEqual([`[EndpointStack/BookingEndpoint] WhatsAppFlowEndpoint EndpointStack/BookingEndpoint: ${message}`].map(expect.stringContaining));
  });
});

describe('metrics', () => {
  test('the endpoint\'s own counts, in its namespace, by function name; the sum over 5 minutes', () => {
    const { endpoint, stack } = endpointStack();
    const metric = endpoint.metricDecryptionFailures();
    expect([metric.namespace, metric.metricName, metric.statistic, metric.period.toMinutes()]).toEqual(['cdk-whatsapp-flows/FlowEndpoint', 'DecryptionFailures', 'Sum', 5]);
    expect(stack.resolve(metric.dimensions)).toEqual({ FunctionName: { Ref: expect.stringMatching(/^BookingEndpointFunction/) } });
    expect(endpoint.metricSignatureFailures().metricName).toBe('SignatureFailures');
    expect(endpoint.metricInvalidFlowTokens().metricName).toBe('InvalidFlowTokens');
    expect(endpoint.metricHandlerErrors().metricName).toBe('HandlerErrors');
  });

  test('errors add up what Meta got an error for; latency is the function\'s p99 duration', () => {
    const { endpoint } = endpointStack();
    const errors = endpoint.metricErrors().toMetricConfig().mathExpression!;
    expect(Object.fromEntries(Object.entries(errors.usingMetrics).map(([k, m]) => [k, (m as any).metricName]))).toEqual({
      handler: 'HandlerErrors',
      decryption: 'DecryptionFailures',
      signature: 'SignatureFailures',
      endpoint: 'EndpointErrors',
      crashes: 'Errors',
      throttles: 'Throttles',
    });
    const latency = endpoint.metricLatency();
    expect([latency.namespace, latency.metricName, latency.statistic]).toEqual(['AWS/Lambda', 'Duration', 'p99']);
  });

  test('an alarm can be made on them', () => {
    const stack = newStack();
    const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE] });
    endpoint.metricErrors().createAlarm(stack, 'Errors', { threshold: 1, evaluationPeriods: 1 });
    endpoint.metricDecryptionFailures().createAlarm(stack, 'KeyMismatch', { threshold: 10, evaluationPeriods: 3 });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });
});

test('cdk-nag AwsSolutionsChecks: no findings on the endpoint, every suppression with its reason', () => {
  const stack = newStack();
  const handler = userFunction(stack);
  new WhatsAppFlowEndpoint(stack, 'BookingEndpoint', { handler, phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'AppSecret') });
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  // Findings on what the test itself or aws-cdk-lib makes, not on the endpoint.
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/EndpointStack/BookingLogic/ServiceRole/Resource'], [
    { id: 'AwsSolutions-IAM4', reason: 'The test\'s stand-in for the user\'s function uses the default execution role.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/EndpointStack/BookingLogic/Resource'], [
    { id: 'AwsSolutions-L1', reason: 'The test\'s stand-in for the user\'s function: its runtime is the user\'s choice.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/EndpointStack/AppSecret/Resource'], [
    { id: 'AwsSolutions-SMG4', reason: 'A Meta app secret is rotated in Meta\'s app settings, not by Secrets Manager.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    '/EndpointStack/WhatsAppFlowProvider/OnEvent/Resource',
    '/EndpointStack/WhatsAppFlowProvider/Provider/framework-onEvent/Resource',
    '/EndpointStack/BookingEndpoint/Function/Resource',
  ], [{ id: 'AwsSolutions-L1', reason: 'Pinned to nodejs22.x, the runtime the bundled AWS SDK is built and tested for; the framework\'s is aws-cdk-lib\'s.' }]);
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/EndpointStack/WhatsAppFlowProvider/FrameworkRole/DefaultPolicy/Resource'], [{
    id: 'AwsSolutions-IAM5',
    reason: 'aws-cdk-lib\'s Provider framework grants lambda:InvokeFunction on the handler\'s ARN and its versions (ARN:*).',
    appliesTo: [{ regex: '/^Resource::<WhatsAppFlowProviderOnEvent[0-9A-F]+\\.Arn>:\\*$/' }],
  }]);
  // The Provider framework's isComplete waiter (issue 22).
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    '/EndpointStack/WhatsAppFlowProvider/Provider/framework-isComplete/Resource',
    '/EndpointStack/WhatsAppFlowProvider/Provider/framework-onTimeout/Resource',
  ], [{ id: 'AwsSolutions-L1', reason: 'The Provider framework function\'s runtime is chosen by aws-cdk-lib, not by this library.' }]);
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    '/EndpointStack/WhatsAppFlowProvider/FrameworkWaiterRole/DefaultPolicy/Resource',
    '/EndpointStack/WhatsAppFlowProvider/Provider/waiter-state-machine/Role/DefaultPolicy/Resource',
  ], [{
    id: 'AwsSolutions-IAM5',
    reason: 'aws-cdk-lib\'s Provider framework grants lambda:InvokeFunction on the functions it invokes and their versions (ARN:*).',
    appliesTo: [{ regex: '/^Resource::<WhatsAppFlowProvider(OnEvent|frameworkisComplete|frameworkonTimeout)[0-9A-F]+\\.Arn>:\\*$/' }],
  }]);
  NagSuppressions.addResourceSuppressionsByPath(stack, ['/EndpointStack/WhatsAppFlowProvider/Provider/waiter-state-machine/Resource'], [
    { id: 'AwsSolutions-SF1', reason: 'The Provider framework\'s waiter only retries isComplete; the handler logs what each call does.' },
    { id: 'AwsSolutions-SF2', reason: 'The Provider framework\'s waiter only retries isComplete: tracing it would show no more than its logs.' },
  ]);
  (stack.node.root as App).synth();
  const findings = [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ];
  expect(findings.map((f) => `${f.id}: ${f.entry.data}`)).toEqual([]);
});

test('a handler whose timeout outlasts what the endpoint waits for is a warning', () => {
  const stack = newStack();
  const slow = new lambda.Function(stack, 'Slow', {
    runtime: lambda.Runtime.PYTHON_3_14,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {}\n'),
    timeout: Duration.seconds(30),
  });
  new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: slow, phoneNumberIds: [PHONE] });
  new WhatsAppFlowEndpoint(stack, 'Quick', { handler: userFunction(stack), phoneNumberIds: ['phone-number-id-0123456789abcdef09'] });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ENDPOINT_HANDLER_TIMEOUT'));
  expect(warnings.map((w) => [w.id, w.entry.data])).toEqual([
    ['/EndpointStack/Endpoint', expect.stringContaining('The handler\'s timeout is 30 s, but the endpoint waits for it at most 7.3 s')],
  ]);
});

describe('a public URL: what is checked, and what it costs when it is not', () => {
  const flowProps = (endpoint: WhatsAppFlowEndpoint, extra: Record<string, unknown> = {}) => ({
    whatsAppBusinessAccountId: 'waba-0123456789',
    flowName: 'booking',
    categories: [FlowCategory.APPOINTMENT_BOOKING],
    flowJson: FlowJson.fromObject(DYNAMIC_FLOW),
    endpoint,
    ...extra,
  });

  test('without appSecret the synth warns what an attacker can do and how to close it; the warning can be acknowledged', () => {
    const { stack, endpoint } = endpointStack();
    const warnings = Annotations.fromStack(stack).findWarning('/EndpointStack/BookingEndpoint', Match.stringLikeRegexp('ENDPOINT_SIGNATURES_UNCHECKED'));
    expect(warnings).toHaveLength(1);
    const text = JSON.stringify(warnings[0].entry.data);
    expect(text).toMatch(/anyone who has both can send well-formed encrypted requests that reach your handler/);
    expect(text).toMatch(/spend a KMS Decrypt each \(at most 20 × 5 = 100 a second, reservedConcurrentExecutions × kmsDecryptsPerSecondPerExecution\)/);
    expect(text).toMatch(/pass it as appSecret, and give each WhatsAppFlow that uses the endpoint the app's metaAppId/);

    const acknowledged = endpointStack();
    CdkAnnotations.of(acknowledged.endpoint).acknowledgeWarning('cdk-whatsapp-flows:ENDPOINT_SIGNATURES_UNCHECKED', 'a test endpoint');
    expect(Annotations.fromStack(acknowledged.stack).findWarning('*', Match.stringLikeRegexp('ENDPOINT_SIGNATURES_UNCHECKED'))).toHaveLength(0);
    expect(endpoint).toBeDefined();
  });

  test('kmsDecryptsPerSecondPerExecution reaches the function and the bound the warning names; a rate below 1 fails the synth', () => {
    const { stack } = endpointStack({ reservedConcurrentExecutions: 10, kmsDecryptsPerSecondPerExecution: 8 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FLOW_ENDPOINT_KMS_DECRYPTS_PER_SECOND: '8' }) },
      ReservedConcurrentExecutions: 10,
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ENDPOINT_SIGNATURES_UNCHECKED'));
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/at most 10 × 8 = 80 a second/);

    const { stack: defaults } = endpointStack();
    const env = Template.fromStack(defaults).findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('data-exchange endpoint') } });
    expect(JSON.stringify(env)).not.toMatch(/FLOW_ENDPOINT_KMS_DECRYPTS_PER_SECOND/);

    const { endpoint } = endpointStack({ kmsDecryptsPerSecondPerExecution: 0.5 });
    expect(synthErrors(endpoint).join('\n')).toMatch(/kmsDecryptsPerSecondPerExecution must be a whole number of at least 1, not 0.5/);
  });

  test('with appSecret there is no such warning', () => {
    const stack = newStack();
    new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'AppSecret') });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ENDPOINT_SIGNATURES_UNCHECKED'))).toHaveLength(0);
  });

  test('an endpoint that checks signatures, used by a Flow without metaAppId, fails the synth naming both', () => {
    const stack = newStack();
    const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'AppSecret'),
    });
    new WhatsAppFlow(stack, 'Booking', flowProps(endpoint));
    expect(() => Template.fromStack(stack)).toThrow(
      /WhatsAppFlow EndpointStack\/Booking uses the endpoint EndpointStack\/Endpoint, which verifies Meta's request signatures .* but has no metaAppId/);
  });

  test('with metaAppId it synthesizes; an endpoint without appSecret needs none', () => {
    const stack = newStack();
    const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'AppSecret'),
    });
    new WhatsAppFlow(stack, 'Booking', flowProps(endpoint, { metaAppId: '1234567890' }));
    const unsigned = new WhatsAppFlowEndpoint(stack, 'Unsigned', { handler: userFunction(stack, 'OtherLogic'), phoneNumberIds: ['phone-number-id-0999'] });
    new WhatsAppFlow(stack, 'Other', flowProps(unsigned, { flowName: 'other' }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('any IFlowEndpoint may say that it verifies signatures; without a source, the message names its URL', () => {
    const stack = newStack();
    const endpoint: IFlowEndpoint = { bind: () => ({ url: 'https://flows.example.com/booking', verifiesSignatures: true }) };
    new WhatsAppFlow(stack, 'Booking', { ...flowProps(undefined as any), endpoint });
    expect(() => Template.fromStack(stack)).toThrow(/uses the endpoint https:\/\/flows\.example\.com\/booking, which verifies Meta's request signatures/);
  });

  test('an adopted Flow may have its app attached outside the app: a warning instead', () => {
    const stack = newStack();
    const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'AppSecret'),
    });
    new WhatsAppFlow(stack, 'Booking', flowProps(endpoint, { adoptExistingFlow: true }));
    expect(() => Template.fromStack(stack)).not.toThrow();
    Annotations.fromStack(stack).hasWarning('/EndpointStack/Booking', Match.stringLikeRegexp('FLOW_META_APP_UNDECLARED'));
  });

  test('verifyFlowTokenSignature with Flow JSON on data API 3.0 is a warning; on 4.0 it is not', () => {
    const stack = newStack();
    const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'AppSecret'), verifyFlowTokenSignature: true,
    });
    new WhatsAppFlow(stack, 'Old', flowProps(endpoint, { metaAppId: '1', flowName: 'old' }));
    new WhatsAppFlow(stack, 'New', flowProps(endpoint, { metaAppId: '1', flowName: 'new', flowJson: FlowJson.fromObject({ ...DYNAMIC_FLOW, data_api_version: '4.0' }) }));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('FLOW_TOKEN_SIGNATURE_UNUSED'));
    expect(warnings.map((w) => w.id)).toEqual(['/EndpointStack/Old']);
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/data API 3.0, whose requests carry no flow_token_signature/);
  });

  test('reserved concurrency: 20 by default, as asked, or removed with the escape hatch', () => {
    const asked = endpointStack({ reservedConcurrentExecutions: 50 });
    asked.template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 8, ReservedConcurrentExecutions: 50 });
    const unbounded = endpointStack();
    (unbounded.endpoint.endpointFunction.node.defaultChild as lambda.CfnFunction).addPropertyDeletionOverride('ReservedConcurrentExecutions');
    const fn = Object.values(unbounded.template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 8 } }))[0];
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('one key shared by the endpoints of one phone number', () => {
  function twoEndpoints(phoneNumbers: [string, string]) {
    const stack = newStack();
    const key = new kms.Key(stack, 'SharedKey', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    new WhatsAppFlowEndpoint(stack, 'Booking', { handler: userFunction(stack), phoneNumberIds: [phoneNumbers[0]], key });
    new WhatsAppFlowEndpoint(stack, 'Survey', { handler: userFunction(stack, 'SurveyLogic'), phoneNumberIds: [phoneNumbers[1]], key });
    return stack;
  }

  test('one Allow and one Deny name both roles: both decrypt, neither is denied', () => {
    const template = Template.fromStack(twoEndpoints([PHONE, 'phone-number-id-0999']));
    const statements = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([undefined, 'SocialMessagingReadsThePublicKey', 'TheEndpointsDecrypt', 'NobodyElseDecrypts']);
    const roles = [
      { 'Fn::GetAtt': [expect.stringMatching(/^BookingRole/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^SurveyRole/), 'Arn'] },
    ];
    expect(statements[2].Principal.AWS).toEqual(roles);
    expect(statements[3].Condition.ArnNotEquals['aws:PrincipalArn']).toEqual(roles);
    expect(statements[3].Action).toEqual(['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });

  test('they may serve the same phone number: each registers the same key for it, which changes nothing', () => {
    const template = Template.fromStack(twoEndpoints([PHONE, PHONE]));
    const registrations = Object.values(template.findResources(KEY_REGISTRATION_RESOURCE_TYPE));
    expect(registrations.map((r) => r.Properties.PhoneNumberIds)).toEqual([[PHONE], [PHONE]]);
  });
});

test('a key of another stack fails the synth with what to do, not with a cycle between the stacks', () => {
  const app = new App();
  const env = { account: '111111111111', region: 'us-east-1' };
  const keys = new Stack(app, 'Keys', { env });
  const endpoints = new Stack(app, 'Endpoints', { env });
  const key = new kms.Key(keys, 'Key', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
  new WhatsAppFlowEndpoint(endpoints, 'Endpoint', { handler: userFunction(endpoints), phoneNumberIds: [PHONE], key });
  expect(() => app.synth()).toThrow(/Endpoints\/Endpoint: its key Keys\/Key belongs to another stack.*Declare the endpoint in the key's stack, or pass the key by ARN/);
});

describe('a phone number is claimed app-wide with one key', () => {
  test('two keys for one number in one stack fail the synth, naming both endpoints', () => {
    const stack = newStack();
    new WhatsAppFlowEndpoint(stack, 'Booking', { handler: userFunction(stack), phoneNumberIds: [PHONE] });
    new WhatsAppFlowEndpoint(stack, 'Survey', { handler: userFunction(stack, 'SurveyLogic'), phoneNumberIds: [PHONE_ARN, PHONE] });
    expect(() => Template.fromStack(stack)).toThrow(
      new RegExp(`WhatsAppFlowEndpoint EndpointStack/Survey: phone number ${PHONE} is also served by EndpointStack/Booking with another key`));
  });

  test('also across two stacks of one app (an id in one, its ARN in the other)', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'us-east-1' };
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    new WhatsAppFlowEndpoint(first, 'Booking', { handler: userFunction(first), phoneNumberIds: ['phone-number-id-0123456789abcdef02'] });
    new WhatsAppFlowEndpoint(second, 'Survey', { handler: userFunction(second), phoneNumberIds: [PHONE_ARN] });
    expect(() => app.synth()).toThrow(/Second\/Survey: phone number arn:.* is also served by First\/Booking with another key/);
  });

  test('other numbers, or tokens of two stacks, are not a conflict', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    new WhatsAppFlowEndpoint(first, 'Booking', { handler: userFunction(first), phoneNumberIds: [new CfnParameter(first, 'Phone').valueAsString, PHONE] });
    new WhatsAppFlowEndpoint(second, 'Survey', { handler: userFunction(second), phoneNumberIds: [new CfnParameter(second, 'Phone').valueAsString, 'phone-number-id-0999'] });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the app secret as a field of a JSON secret', () => {
  test('appSecretField reaches the function; the secret is read as before', () => {
    const stack = newStack();
    new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'MetaApp'), appSecretField: 'appSecret',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [EndpointEnv.APP_SECRET_FIELD]: 'appSecret', [EndpointEnv.APP_SECRET_ARN]: { Ref: Match.stringLikeRegexp('^MetaApp') } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] })]) },
    });
  });

  test.each([
    [{ appSecretField: 'appSecret' }, 'appSecretField needs appSecret'],
  ])('%j', (props, message) => {
    expect(() => endpointStack(props).template).toThrow(message);
  });

  test('a blank field is refused', () => {
    const stack = newStack();
    new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: userFunction(stack), phoneNumberIds: [PHONE], appSecret: new secretsmanager.Secret(stack, 'MetaApp'), appSecretField: ' ',
    });
    expect(() => Template.fromStack(stack)).toThrow('appSecretField must not be blank');
  });
});

describe('a key rotation', () => {
  test('previousKey reaches the function and may decrypt; the key registration waits for the function', () => {
    const stack = newStack();
    const oldKey = new kms.Key(stack, 'OldKey', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    const newKey = new kms.Key(stack, 'NewKey', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE], key: newKey, previousKey: oldKey });
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 8 } }))[0];
    expect(fn.Properties.Environment.Variables[EndpointEnv.KMS_KEY_ID]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NewKey/), 'Arn'] });
    expect(fn.Properties.Environment.Variables[EndpointEnv.PREVIOUS_KMS_KEY_ID]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OldKey/), 'Arn'] });
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      const decrypts = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'TheEndpointsDecrypt');
      expect(decrypts.Principal.AWS).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EndpointRole/), 'Arn'] });
    }
    const registration = Object.values(template.findResources(KEY_REGISTRATION_RESOURCE_TYPE))[0];
    expect(stack.resolve(registration.Properties.KmsKeyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NewKey/), 'Arn'] });
    expect(registration.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^EndpointFunction[0-9A-F]{8}$/)]));
  });

  test('an imported previous key: the role decrypts with it by its own policy', () => {
    const oldArn = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';
    const { stack, template } = endpointStack({ previousKey: kms.Key.fromKeyArn(newStack(), 'Old', oldArn) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: oldArn }]) },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('previousKey'))).toHaveLength(1);
  });

  test('previousKey must not be key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler: userFunction(stack), phoneNumberIds: [PHONE], key, previousKey: key });
    expect(() => Template.fromStack(stack)).toThrow('previousKey is the same key as key');
  });
});

describe('the endpoint function can be tuned', () => {
  test('by default: 512 MiB, x86_64, no tracing, its own log group kept for a month', () => {
    const { template } = endpointStack();
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 8 } }))[0];
    expect(fn.Properties.MemorySize).toBe(512);
    expect(fn.Properties.Architectures).toBeUndefined();
    expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/^BookingEndpointLogs/) });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('memorySize, architecture, tracing and logGroup reach the function; the function may write to the log group', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'EndpointLogs', { retention: logs.RetentionDays.ONE_YEAR });
    new WhatsAppFlowEndpoint(stack, 'BookingEndpoint', {
      handler: userFunction(stack),
      phoneNumberIds: [PHONE],
      memorySize: 1024,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 8,
      MemorySize: 1024,
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^EndpointLogs') } },
    });
    // The given log group only: the endpoint makes none of its own.
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('BookingEndpoint'))).toEqual([]);
    for (const statement of [
      Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointLogs'), 'Arn'] } }),
      Match.objectLike({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] }),
    ]) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^BookingEndpointRole') }],
        PolicyDocument: { Statement: Match.arrayWith([statement]) },
      });
    }
  });

  test.each([64, 20000, 512.5])('memorySize %d is refused at synth', (memorySize) => {
    const { stack } = endpointStack({ memorySize });
    expect(synthErrors(stack)).toEqual([expect.stringContaining(`WhatsAppFlowEndpoint EndpointStack/BookingEndpoint: memorySize must be a whole number of MiB from 128 to 10240, not ${memorySize}`)]);
  });
});
