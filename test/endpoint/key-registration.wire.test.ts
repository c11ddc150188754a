/**
 * The key registration (`Custom::WhatsAppBusinessPublicKey`) through the SHIPPED provider bundle, against the
 * social-messaging wire double: PutWhatsAppBusinessPublicKey and GetWhatsAppBusinessPublicKey on the wire, MISMATCH,
 * retries, hung requests, updates, rollbacks and deletes.
 */
import { randomUUID } from 'crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { KEY_REGISTRATION_RESOURCE_TYPE, KeyRegistrationProperties } from '../../src/endpoint/contract';
import { SocialMessagingDouble, startSocialMessagingDouble } from '../wire/double';
import { FAKE_CREDENTIALS, HandlerFunction, HandlerOutcome } from '../wire/driver/handler';

jest.setTimeout(120_000);

const STACK_ID = `arn:aws:cloudformation:us-east-1:111111111111:stack/WireStack/${randomUUID()}`;
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/signed?X-Amz-Signature=abc';
const KEY_A = 'arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-0000-0000-0000-000000000001';
const KEY_B = 'arn:aws:kms:us-east-1:111111111111:key/bbbbbbbb-0000-0000-0000-000000000002';
const PHONE_1 = 'phone-number-id-0123456789abcdef01';
const PHONE_2 = 'phone-number-id-0123456789abcdef02';
const PHONE_3 = 'phone-number-id-0123456789abcdef03';

let double: SocialMessagingDouble;
let fn: HandlerFunction;

beforeAll(async () => {
  double = await startSocialMessagingDouble();
  fn = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await fn.close();
  await double.stop();
});

beforeEach(() => double.reset());

const props = (key: string, phones: string[]): KeyRegistrationProperties => ({ KmsKeyArn: key, PhoneNumberIds: phones });

function event(requestType: 'Create' | 'Update' | 'Delete', properties: KeyRegistrationProperties,
  extra: { old?: KeyRegistrationProperties; physicalId?: string } = {}): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:WireStack-WhatsAppFlowProviderframeworkonEvent',
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: randomUUID(),
    LogicalResourceId: 'BookingEndpointKeyRegistration',
    ResourceType: KEY_REGISTRATION_RESOURCE_TYPE,
    ResourceProperties: { ServiceToken: 'token', ...properties },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update') {
    return { ...base, RequestType: 'Update', PhysicalResourceId: extra.physicalId!, OldResourceProperties: { ServiceToken: 'token', ...extra.old! } };
  }
  return { ...base, RequestType: 'Delete', PhysicalResourceId: extra.physicalId! };
}

async function deliver(e: CloudFormationCustomResourceEvent, budgetMs = 60_000): Promise<HandlerOutcome> {
  const outcome = await fn.invoke(e, budgetMs);
  const text = [...outcome.logs, outcome.error ?? ''].join('\n');
  for (const secret of [RESPONSE_URL, 'X-Amz-Signature', FAKE_CREDENTIALS.secretAccessKey, FAKE_CREDENTIALS.accessKeyId]) {
    expect(text).not.toContain(secret);
  }
  if (outcome.result) expect(Buffer.byteLength(JSON.stringify(outcome.result))).toBeLessThan(4096);
  return outcome;
}

const registered = (phone: string) => double.keys.registered(phone);
const operations = () => double.calls.all().map((c) => c.operation);

test('Create puts the key for each phone number and checks its signature; the physical id is the key ARN', async () => {
  const outcome = await deliver(event('Create', props(KEY_A, [PHONE_1, PHONE_2])));
  expect(outcome.error).toBeUndefined();
  expect(outcome.result).toEqual({ PhysicalResourceId: KEY_A, Data: {} });
  expect(registered(PHONE_1)).toEqual({ kmsKeyArn: KEY_A });
  expect(registered(PHONE_2)).toEqual({ kmsKeyArn: KEY_A });
  expect(operations()).toEqual(['PutWhatsAppBusinessPublicKey', 'GetWhatsAppBusinessPublicKey', 'PutWhatsAppBusinessPublicKey', 'GetWhatsAppBusinessPublicKey']);
});

test('MISMATCH fails the deploy with what to do, after reading the status again', async () => {
  double.keys.signatureStatus.set(PHONE_2, 'MISMATCH');
  const outcome = await deliver(event('Create', props(KEY_A, [PHONE_1, PHONE_2])));
  expect(outcome.error).toContain(`The business public key of ${PHONE_2} has signature status MISMATCH`);
  expect(outcome.error).toContain('make sure only this WhatsAppFlowEndpoint registers a key for it');
  expect(outcome.error).toContain('deploy again');
  expect(outcome.error!.length).toBeLessThanOrEqual(1000);
  expect(double.calls.count('GetWhatsAppBusinessPublicKey')).toBe(1 + 3);
});

test('a MISMATCH that clears on a second read passes', async () => {
  const statuses = double.keys.signatureStatus;
  const get = statuses.get.bind(statuses);
  let reads = 0;
  statuses.get = (id: string) => (id === PHONE_1 && reads++ === 0 ? 'MISMATCH' : get(id));
  try {
    const outcome = await deliver(event('Create', props(KEY_A, [PHONE_1])));
    expect(outcome.error).toBeUndefined();
    expect(double.calls.count('GetWhatsAppBusinessPublicKey')).toBe(2);
  } finally {
    delete (statuses as { get?: unknown }).get;
  }
});

test('throttling and 5xx are retried, a lost answer too (putting a key twice is harmless)', async () => {
  double.faults.script('PutWhatsAppBusinessPublicKey', ['ThrottledRequestException', { error: 'InternalServiceException', afterApply: true }]);
  double.faults.script('GetWhatsAppBusinessPublicKey', ['DependencyException']);
  const outcome = await deliver(event('Create', props(KEY_A, [PHONE_1])));
  expect(outcome.error).toBeUndefined();
  expect(double.calls.count('PutWhatsAppBusinessPublicKey')).toBe(3);
  expect(double.calls.count('GetWhatsAppBusinessPublicKey')).toBe(2);
  expect(registered(PHONE_1)).toEqual({ kmsKeyArn: KEY_A });
});

test('a hung request times out and is retried', async () => {
  double.faults.script('PutWhatsAppBusinessPublicKey', [{ error: 'InternalServiceException', hang: true }]);
  const outcome = await deliver(event('Create', props(KEY_A, [PHONE_1])));
  expect(outcome.error).toBeUndefined();
  expect(double.calls.count('PutWhatsAppBusinessPublicKey')).toBe(2);
});

test('retryable errors that outlast the budget fail with a next step', async () => {
  double.faults.always('PutWhatsAppBusinessPublicKey', 'ThrottledRequestException');
  const outcome = await deliver(event('Create', props(KEY_A, [PHONE_1])), 3_000);
  expect(outcome.error).toMatch(/^RetryBudgetExhausted: PutWhatsAppBusinessPublicKey still failed after \d+ attempts/);
  expect(outcome.error).toContain('Deploy again later');
});

test('a phone number that is not linked fails at once, with advice, and is not retried', async () => {
  const outcome = await deliver(event('Create', props(KEY_A, ['phone-number-unlinked'])));
  expect(outcome.error).toContain('PutWhatsAppBusinessPublicKey for phone-number-unlinked failed (ResourceNotFoundException');
  expect(outcome.error).toContain('Check that the phone number is linked to AWS End User Messaging Social in this account and region');
  expect(double.calls.count('PutWhatsAppBusinessPublicKey')).toBe(1);
});

test('a rotated key is an update: every number gets the new key, and the physical id is the new key', async () => {
  await deliver(event('Create', props(KEY_A, [PHONE_1, PHONE_2])));
  const outcome = await deliver(event('Update', props(KEY_B, [PHONE_1, PHONE_2]), { old: props(KEY_A, [PHONE_1, PHONE_2]), physicalId: KEY_A }));
  expect(outcome.result).toEqual({ PhysicalResourceId: KEY_B, Data: {} });
  expect(registered(PHONE_1)).toEqual({ kmsKeyArn: KEY_B });
  expect(registered(PHONE_2)).toEqual({ kmsKeyArn: KEY_B });
});

test('a changed list is an update: new numbers get the key, a removed one is left as it is and named in the log', async () => {
  await deliver(event('Create', props(KEY_A, [PHONE_1, PHONE_2])));
  double.calls.clear();
  const outcome = await deliver(event('Update', props(KEY_A, [PHONE_1, PHONE_3]), { old: props(KEY_A, [PHONE_1, PHONE_2]), physicalId: KEY_A }));
  expect(outcome.error).toBeUndefined();
  expect(registered(PHONE_3)).toEqual({ kmsKeyArn: KEY_A });
  expect(registered(PHONE_2)).toEqual({ kmsKeyArn: KEY_A });
  expect(double.calls.count('PutWhatsAppBusinessPublicKey')).toBe(2);
  expect(outcome.logs.join('\n')).toContain(`left as they are (a business public key cannot be unset): ${PHONE_2}`);
});

test('a rollback (old and new swapped) registers the previous key again', async () => {
  await deliver(event('Create', props(KEY_A, [PHONE_1])));
  await deliver(event('Update', props(KEY_B, [PHONE_1]), { old: props(KEY_A, [PHONE_1]), physicalId: KEY_A }));
  const rollback = await deliver(event('Update', props(KEY_A, [PHONE_1]), { old: props(KEY_B, [PHONE_1]), physicalId: KEY_B }));
  expect(rollback.error).toBeUndefined();
  expect(rollback.result).toEqual({ PhysicalResourceId: KEY_A, Data: {} });
  expect(registered(PHONE_1)).toEqual({ kmsKeyArn: KEY_A });
});

test('Delete calls nothing (there is no API to unset a key) and succeeds, also after a failed Create', async () => {
  await deliver(event('Create', props(KEY_A, [PHONE_1])));
  double.calls.clear();
  const outcome = await deliver(event('Delete', props(KEY_A, [PHONE_1]), { physicalId: KEY_A }));
  expect(outcome.result).toEqual({ PhysicalResourceId: KEY_A, Data: {} });
  expect(outcome.logs.join('\n')).toContain(`the business public key stays registered for ${PHONE_1}`);
  const afterFailedCreate = await deliver(event('Delete', props(KEY_A, [PHONE_1]), { physicalId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }));
  expect(afterFailedCreate.error).toBeUndefined();
  expect(double.calls.count()).toBe(0);
  expect(registered(PHONE_1)).toEqual({ kmsKeyArn: KEY_A });
});
