/** WhatsAppFlowEndpoint's media props: what the function is told, what its role may do, what is refused. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { WhatsAppFlowEndpoint, WhatsAppFlowEndpointProps } from '../../src';
import { EndpointEnv } from '../../src/endpoint/contract';

const PHONE = 'phone-number-id-0123456789abcdef01';

function endpointStack(props: (stack: Stack) => Partial<WhatsAppFlowEndpointProps> = () => ({})) {
  const stack = new Stack(new App(), 'MediaStack', { env: { account: '111111111111', region: 'us-east-1' } });
  const handler = new lambda.Function(stack, 'Logic', {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {}\n'),
  });
  const endpoint = new WhatsAppFlowEndpoint(stack, 'Endpoint', { handler, phoneNumberIds: [PHONE], ...props(stack) });
  return { stack, endpoint, get template() { return Template.fromStack(stack); } };
}

function endpointFunction(template: Template) {
  return Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 8 } }))[0].Properties;
}

/** Every statement of the endpoint role's policies. */
function roleStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('EndpointRole'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

test('without a bucket: no media environment and no S3 permission (entries pass through to the handler)', () => {
  const { template } = endpointStack();
  const env = endpointFunction(template).Environment.Variables;
  expect(Object.keys(env)).not.toContain(EndpointEnv.MEDIA_BUCKET);
  expect(JSON.stringify(roleStatements(template))).not.toContain('s3:');
});

test('with a bucket: the function knows the bucket, the default prefix and hosts; its role may only PutObject under the prefix', () => {
  const { template, stack } = endpointStack((s) => ({ mediaBucket: new s3.Bucket(s, 'Media') }));
  const env = endpointFunction(template).Environment.Variables;
  expect(stack.resolve(env[EndpointEnv.MEDIA_BUCKET])).toEqual({ Ref: expect.stringMatching(/^Media/) });
  expect(env[EndpointEnv.MEDIA_PREFIX]).toBe('whatsapp-flow-media');
  expect(env[EndpointEnv.MEDIA_HOSTS]).toBe('*.whatsapp.net,*.fbcdn.net');
  const s3Statements = roleStatements(template).filter((s) => JSON.stringify(s.Action).includes('s3:'));
  expect(s3Statements).toEqual([{
    Action: 's3:PutObject',
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Media/), 'Arn'] }, '/whatsapp-flow-media/*']] },
  }]);
});

test('a bucket encrypted with a KMS key: GenerateDataKey and Encrypt on that key, nothing more', () => {
  const { template } = endpointStack((s) => ({
    mediaBucket: new s3.Bucket(s, 'Media', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(s, 'MediaKey') }),
  }));
  const kmsStatements = roleStatements(template).filter((s) => JSON.stringify(s.Action).includes('kms:') && JSON.stringify(s.Resource).includes('MediaKey'));
  expect(kmsStatements).toEqual([{
    Action: ['kms:GenerateDataKey', 'kms:Encrypt'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MediaKey/), 'Arn'] },
  }]);
});

test('a prefix and hosts of one\'s own', () => {
  const { template } = endpointStack((s) => ({
    mediaBucket: s3.Bucket.fromBucketName(s, 'Media', 'my-media'),
    mediaKeyPrefix: 'flows/claims',
    mediaHosts: ['mmg.whatsapp.net', 'cdn.example.com:8443'],
  }));
  const env = endpointFunction(template).Environment.Variables;
  expect([env[EndpointEnv.MEDIA_BUCKET], env[EndpointEnv.MEDIA_PREFIX], env[EndpointEnv.MEDIA_HOSTS]])
    .toEqual(['my-media', 'flows/claims', 'mmg.whatsapp.net,cdn.example.com:8443']);
  expect(roleStatements(template)).toContainEqual({
    Action: 's3:PutObject',
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-media/flows/claims/*']] },
  });
});

test.each<[string, (s: Stack) => Partial<WhatsAppFlowEndpointProps>, RegExp]>([
  ['a prefix without a bucket', () => ({ mediaKeyPrefix: 'x' }), /mediaKeyPrefix and mediaHosts need mediaBucket/],
  ['hosts without a bucket', () => ({ mediaHosts: ['mmg.whatsapp.net'] }), /need mediaBucket/],
  ['a prefix with a trailing slash', (s) => ({ mediaBucket: new s3.Bucket(s, 'B'), mediaKeyPrefix: 'media/' }), /mediaKeyPrefix 'media\/' must be/],
  ['an empty host list', (s) => ({ mediaBucket: new s3.Bucket(s, 'B'), mediaHosts: [] }), /at least one host/],
  ['a URL for a host', (s) => ({ mediaBucket: new s3.Bucket(s, 'B'), mediaHosts: ['https://mmg.whatsapp.net/'] }), /is not a host name/],
  ['a bare wildcard', (s) => ({ mediaBucket: new s3.Bucket(s, 'B'), mediaHosts: ['*'] }), /is not a host name/],
  ['an IP address', (s) => ({ mediaBucket: new s3.Bucket(s, 'B'), mediaHosts: ['169.254.169.254'] }), /is an IP address/],
  ['a whole top-level domain', (s) => ({ mediaBucket: new s3.Bucket(s, 'B'), mediaHosts: ['*.net'] }), /top-level domain/],
])('synth refuses %s', (_case, props, message) => {
  const { stack } = endpointStack(props);
  expect(() => Template.fromStack(stack)).toThrow(message);
});

test('metricMediaRejected: the count of files not stored, by function name', () => {
  const { endpoint, stack } = endpointStack((s) => ({ mediaBucket: new s3.Bucket(s, 'Media') }));
  const metric = endpoint.metricMediaRejected();
  expect([metric.namespace, metric.metricName, metric.statistic]).toEqual(['cdk-whatsapp-flows/FlowEndpoint', 'MediaRejected', 'Sum']);
  expect(stack.resolve(metric.dimensions)).toEqual({ FunctionName: { Ref: expect.stringMatching(/^EndpointFunction/) } });
});
