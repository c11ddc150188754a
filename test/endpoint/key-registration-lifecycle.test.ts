/**
 * The key registration's lifecycle in process, with the social-messaging client mocked: what is sent for each event
 * (the wire test sends the same through the shipped bundle).
 */
import { AccessDeniedException, SocialMessagingClient, ThrottledRequestException } from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { KEY_REGISTRATION_RESOURCE_TYPE } from '../../src/endpoint/contract';
import { HandlerOptions, makeHandler } from '../../src/provider/on-event.lambda';

/** Fast back-off, and no waiting for the rate limit: a throttled-out operation fails. */
const FAST: HandlerOptions = { retryBaseDelayMs: 1, throttle: { minDelayMs: 1, firstSpreadMs: 5, maxDelayMs: 20 }, waitMs: 0 };
let handler = makeHandler(FAST);
import { GetWhatsAppBusinessPublicKeyCommand, PutWhatsAppBusinessPublicKeyCommand } from '../../src/provider/social-messaging-extension';

const socialMessaging = mockClient(SocialMessagingClient);
const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1111';
const PHONE = 'phone-number-id-0123';
const base = {
  ServiceToken: 'token',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/1',
  RequestId: 'r',
  LogicalResourceId: 'KeyRegistration',
  ResourceType: KEY_REGISTRATION_RESOURCE_TYPE,
  ResourceProperties: { ServiceToken: 'token', KmsKeyArn: KEY, PhoneNumberIds: [PHONE] },
};
const create = { ...base, RequestType: 'Create' } as CloudFormationCustomResourceEvent;
const context = { getRemainingTimeInMillis: () => 60_000 } as any;

beforeEach(() => {
  socialMessaging.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  handler = makeHandler(FAST);
});

afterEach(() => jest.restoreAllMocks());

test('Create: Put with the key ARN, then Get; the physical id is the key ARN', async () => {
  socialMessaging.on(PutWhatsAppBusinessPublicKeyCommand).resolves({});
  socialMessaging.on(GetWhatsAppBusinessPublicKeyCommand).resolves({ businessPublicKeySignatureStatus: 'VALID' });
  await expect(handler(create, context)).resolves.toEqual({ PhysicalResourceId: KEY, Data: {} });
  const inputs = (command: any) => socialMessaging.commandCalls(command).map((c) => c.args[0].input);
  expect(inputs(PutWhatsAppBusinessPublicKeyCommand)).toEqual([{ originationPhoneNumberId: PHONE, kmsKeyArn: KEY }]);
  expect(inputs(GetWhatsAppBusinessPublicKeyCommand)).toEqual([{ originationPhoneNumberId: PHONE }]);
});

test('a throttled Put is retried; an access error fails at once and names what to check', async () => {
  socialMessaging.on(PutWhatsAppBusinessPublicKeyCommand)
    .rejectsOnce(new ThrottledRequestException({ message: 'slow down', $metadata: {} }))
    .resolvesOnce({})
    .rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));
  socialMessaging.on(GetWhatsAppBusinessPublicKeyCommand).resolves({ businessPublicKeySignatureStatus: 'VALID' });
  await expect(handler(create, context)).resolves.toMatchObject({ PhysicalResourceId: KEY });
  await expect(handler(create, context)).rejects.toThrow(
    `PutWhatsAppBusinessPublicKey for ${PHONE} failed (AccessDeniedException: not allowed). Check that the phone number is linked`);
  expect(socialMessaging.commandCalls(PutWhatsAppBusinessPublicKeyCommand)).toHaveLength(3);
});

test('Update: the physical id is the key now registered; Delete sends nothing', async () => {
  socialMessaging.on(PutWhatsAppBusinessPublicKeyCommand).resolves({});
  socialMessaging.on(GetWhatsAppBusinessPublicKeyCommand).resolves({ businessPublicKeySignatureStatus: 'VALID' });
  const update = { ...base, RequestType: 'Update', PhysicalResourceId: KEY, OldResourceProperties: base.ResourceProperties };
  await expect(handler(update as CloudFormationCustomResourceEvent, context)).resolves.toEqual({ PhysicalResourceId: KEY, Data: {} });
  socialMessaging.reset();
  const remove = { ...base, RequestType: 'Delete', PhysicalResourceId: KEY };
  await expect(handler(remove as CloudFormationCustomResourceEvent, context)).resolves.toEqual({ PhysicalResourceId: KEY, Data: {} });
  expect(socialMessaging.calls()).toHaveLength(0);
});

test('a rotation: the physical id follows the new key; the rollback puts the old key again and its id comes back; the Deletes CloudFormation then sends call nothing', async () => {
  const NEW_KEY = 'arn:aws:kms:us-east-1:111111111111:key/2222';
  socialMessaging.on(PutWhatsAppBusinessPublicKeyCommand).resolves({});
  socialMessaging.on(GetWhatsAppBusinessPublicKeyCommand).resolves({ businessPublicKeySignatureStatus: 'VALID' });
  const oldProperties = base.ResourceProperties;
  const newProperties = { ...base.ResourceProperties, KmsKeyArn: NEW_KEY };
  const rotate = { ...base, RequestType: 'Update', PhysicalResourceId: KEY, ResourceProperties: newProperties, OldResourceProperties: oldProperties };
  await expect(handler(rotate as CloudFormationCustomResourceEvent, context)).resolves.toEqual({ PhysicalResourceId: NEW_KEY, Data: {} });
  const rollback = { ...base, RequestType: 'Update', PhysicalResourceId: NEW_KEY, ResourceProperties: oldProperties, OldResourceProperties: newProperties };
  await expect(handler(rollback as CloudFormationCustomResourceEvent, context)).resolves.toEqual({ PhysicalResourceId: KEY, Data: {} });
  const puts = socialMessaging.commandCalls(PutWhatsAppBusinessPublicKeyCommand).map((c) => c.args[0].input.kmsKeyArn);
  expect(puts).toEqual([NEW_KEY, KEY]);
  socialMessaging.reset();
  // After the rollback CloudFormation deletes the new id, with the new properties: the old key stays registered.
  const cleanup = { ...base, RequestType: 'Delete', PhysicalResourceId: NEW_KEY, ResourceProperties: newProperties };
  await expect(handler(cleanup as CloudFormationCustomResourceEvent, context)).resolves.toEqual({ PhysicalResourceId: NEW_KEY, Data: {} });
  expect(socialMessaging.calls()).toHaveLength(0);
});
