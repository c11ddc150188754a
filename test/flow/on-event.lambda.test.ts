import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  AccessDeniedException,
  CreateWhatsAppFlowCommand,
  DeleteWhatsAppFlowCommand,
  DependencyException,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  InternalServiceException,
  ListWhatsAppFlowsCommand,
  PublishWhatsAppFlowCommand,
  ResourceNotFoundException,
  SocialMessagingClient,
  ThrottledRequestException,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
  ValidationException,
} from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FlowResourceProperties } from '../../src/flow/contract';
import { handler } from '../../src/provider/on-event.lambda';

const socialMessaging = mockClient(SocialMessagingClient);
const s3 = mockClient(S3Client);

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const FLOW_ID = '1234567890';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/secret-signature';
const FLOW_JSON_MARKER = 'FLOW-JSON-CONTENT-MARKER';
const FLOW_JSON = JSON.stringify({ version: '7.3', screens: [{ id: 'ONE', title: FLOW_JSON_MARKER }] });
const PREVIEW_URL = 'https://business.facebook.com/wa/manage/flows/1234567890/preview/?token=abc';

const MUTATING = [
  CreateWhatsAppFlowCommand, UpdateWhatsAppFlowCommand, UpdateWhatsAppFlowAssetsCommand,
  PublishWhatsAppFlowCommand, DeprecateWhatsAppFlowCommand, DeleteWhatsAppFlowCommand,
];

function properties(overrides: Partial<FlowResourceProperties> = {}): FlowResourceProperties {
  return {
    WhatsAppBusinessAccountId: WABA,
    FlowName: 'customer_feedback',
    Categories: ['SURVEY'],
    FlowJsonBucket: 'cdk-assets-bucket',
    FlowJsonKey: 'aaaa.json',
    Publish: 'false',
    RemovalPolicy: 'destroy',
    ...overrides,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:framework',
  ResponseURL: RESPONSE_URL,
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Example/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'FeedbackA1B2C3',
  ResourceType: 'Custom::WhatsAppFlow',
};

function createEvent(props = properties()): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: { ServiceToken: common.ServiceToken, ...props } };
}

function updateEvent(props: FlowResourceProperties, old: FlowResourceProperties, physicalId = FLOW_ID): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...props },
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...old },
  };
}

function deleteEvent(props = properties(), physicalId = FLOW_ID): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: { ServiceToken: common.ServiceToken, ...props } };
}

function context(remainingMs = 60_000): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

function flowStatus(status: string, previewUrl: string | null = PREVIEW_URL) {
  socialMessaging.on(GetWhatsAppFlowCommand).resolves({
    flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: status, preview: previewUrl ? { previewUrl, expiresAt: '2026-12-01' } : undefined,
  });
}

function mutatingCalls(): string[] {
  return socialMessaging.calls()
    .map((call) => call.args[0])
    .filter((command) => MUTATING.some((type) => command instanceof type))
    .map((command) => command.constructor.name);
}

function error<T>(type: new (opts: any) => T, message = 'boom'): T {
  return new type({ message, $metadata: {} });
}

beforeEach(() => {
  process.env.RETRY_BASE_DELAY_MS = '1';
  socialMessaging.reset();
  s3.reset();
  s3.on(GetObjectCommand).callsFake(() => ({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from(FLOW_JSON)) } as any }));
});

describe('Create', () => {
  test('one CreateWhatsAppFlow call carries the Flow JSON from the asset; the flow id is the physical id', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    const response = await handler(createEvent(), context());

    expect(response).toEqual({
      PhysicalResourceId: FLOW_ID,
      Data: { FlowId: FLOW_ID, FlowStatus: 'DRAFT', PreviewUrl: PREVIEW_URL },
    });
    const create = socialMessaging.commandCalls(CreateWhatsAppFlowCommand);
    expect(create).toHaveLength(1);
    expect(create[0].args[0].input).toMatchObject({ id: WABA, flowName: 'customer_feedback', categories: ['SURVEY'], publish: undefined });
    expect(Buffer.from(create[0].args[0].input.flowJson!).toString()).toEqual(FLOW_JSON);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'cdk-assets-bucket', Key: 'aaaa.json' });
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
  });

  test('publish: true publishes within the Create call', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('PUBLISHED');

    const response = await handler(createEvent(properties({ Publish: 'true' })), context());

    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)[0].args[0].input.publish).toBe(true);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a WABA ARN is turned into the id the API takes', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    await handler(createEvent(properties({
      WhatsAppBusinessAccountId: 'arn:aws:social-messaging:us-east-1:111111111111:waba/0123456789abcdef0123456789abcdef',
    })), context());

    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)[0].args[0].input.id).toEqual(WABA);
  });

  test('a clone without Flow JSON reads no asset and passes cloneFlowId', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    await handler(createEvent(properties({ FlowJsonBucket: undefined, FlowJsonKey: undefined, CloneFlowId: '999' })), context());

    expect(s3.calls()).toHaveLength(0);
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)[0].args[0].input).toMatchObject({ cloneFlowId: '999', flowJson: undefined });
  });

  test('validation errors fail the Create, quoted, and the new draft is deleted', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID, validationErrors: ['INVALID_PROPERTY: screens[0].title is missing'] });
    socialMessaging.on(DeleteWhatsAppFlowCommand).resolves({});

    await expect(handler(createEvent(), context())).rejects.toThrow(/Meta rejected the Flow JSON of 'customer_feedback'.*screens\[0\]\.title is missing/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)[0].args[0].input).toEqual({ id: WABA, flowId: FLOW_ID });
  });

  test('a failure after the Create removes what it made (published: deprecated)', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    socialMessaging.on(GetWhatsAppFlowCommand).rejects(error(AccessDeniedException, 'not allowed'));
    socialMessaging.on(DeleteWhatsAppFlowCommand).rejects(error(ValidationException, 'only drafts can be deleted'));
    socialMessaging.on(DeprecateWhatsAppFlowCommand).resolves({});

    await expect(handler(createEvent(properties({ Publish: 'true' })), context())).rejects.toThrow(/AccessDeniedException/);
    expect(socialMessaging.commandCalls(DeprecateWhatsAppFlowCommand)).toHaveLength(1);
  });

  test('the same Create delivered twice makes one Flow: the second adopts the first by its unique name', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand)
      .resolvesOnce({ flowId: FLOW_ID })
      .rejects(error(ValidationException, 'A Flow with this name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand)
      .resolvesOnce({ flows: [{ flowId: '1', flowName: 'other', flowStatus: 'DRAFT', flowCategories: ['OTHER'], validationErrors: [] }], nextToken: 'page2' })
      .resolves({ flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'PUBLISHED', flowCategories: ['SURVEY'], validationErrors: [] }] });
    flowStatus('PUBLISHED');

    const first = await handler(createEvent(properties({ Publish: 'true' })), context());
    const second = await handler(createEvent(properties({ Publish: 'true' })), context());

    expect(second).toEqual(first);
    expect(socialMessaging.commandCalls(ListWhatsAppFlowsCommand)[1].args[0].input.nextToken).toEqual('page2');
    // The live Flow is not touched: no JSON push, no publish, no delete.
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand', 'CreateWhatsAppFlowCommand']);
  });

  test('an adopted draft is brought to the declared state', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['OTHER'], validationErrors: [] }],
    });
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    const response = await handler(createEvent(properties({ Publish: 'true' })), context());

    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand', 'UpdateWhatsAppFlowCommand', 'UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a Flow that a lost Create response made is removed when the adopted Flow then fails', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand)
      .rejectsOnce(error(InternalServiceException, 'lost'))
      .rejects(error(ValidationException, 'name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: ['Invalid screen'] });
    socialMessaging.on(DeleteWhatsAppFlowCommand).resolves({});

    await expect(handler(createEvent(), context())).rejects.toThrow(/Invalid screen/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)[0].args[0].input.flowId).toEqual(FLOW_ID);
  });

  test('a Flow adopted from a repeated delivery is never removed when the Create fails', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: ['Invalid screen'] });

    await expect(handler(createEvent(), context())).rejects.toThrow(/Invalid screen/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)).toHaveLength(0);
  });

  test('a Create rejected for another reason fails with the service message and a next step', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(AccessDeniedException, 'User is not authorized'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({ flows: [] });

    await expect(handler(createEvent(), context())).rejects.toThrow(
      /AccessDeniedException: User is not authorized Check that the WhatsApp Business Account id is right/);
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)).toHaveLength(1);
  });

  test('retryable errors outlasting the time budget fail the Create, and a Flow one attempt made is removed', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(DependencyException, 'Meta is unavailable'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    socialMessaging.on(DeleteWhatsAppFlowCommand).resolves({});
    process.env.RETRY_BASE_DELAY_MS = '100';

    const started = Date.now();
    await expect(handler(createEvent(), context(3_000))).rejects.toThrow(/DependencyException.*Deploy again later/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand).length).toBeGreaterThan(1);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)[0].args[0].input.flowId).toEqual(FLOW_ID);
  });

  test('throttled until the budget runs out: a Flow of that name is not ours to remove (throttled requests never apply)', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ThrottledRequestException, 'slow down'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    process.env.RETRY_BASE_DELAY_MS = '100';

    await expect(handler(createEvent(), context(2_000))).rejects.toThrow(/ThrottledRequestException/);
    expect(mutatingCalls().filter((name) => name !== 'CreateWhatsAppFlowCommand')).toEqual([]);
  });

  test.each([
    ['ThrottledRequestException', ThrottledRequestException],
    ['InternalServiceException', InternalServiceException],
    ['DependencyException', DependencyException],
  ])('%s is retried with backoff', async (_name, type) => {
    socialMessaging.on(CreateWhatsAppFlowCommand)
      .rejectsOnce(error(type as any)).rejectsOnce(error(type as any)).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    await expect(handler(createEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)).toHaveLength(3);
  });

  test('a server error without a modeled name (HTTP 503) is retried', async () => {
    const unavailable = Object.assign(new Error('Service Unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } });
    socialMessaging.on(CreateWhatsAppFlowCommand).rejectsOnce(unavailable).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    await handler(createEvent(), context());
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)).toHaveLength(2);
  });

  test('a Flow without a preview in GetWhatsAppFlow asks GetWhatsAppFlowPreview', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT', null);
    socialMessaging.on(GetWhatsAppFlowPreviewCommand).resolves({ flowId: FLOW_ID, preview: { previewUrl: PREVIEW_URL, expiresAt: 'x' } });

    const response = await handler(createEvent(), context());
    expect(response.Data.PreviewUrl).toEqual(PREVIEW_URL);
  });

  test('a missing preview leaves the attribute empty rather than failing', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT', null);
    socialMessaging.on(GetWhatsAppFlowPreviewCommand).rejects(error(ValidationException));

    const response = await handler(createEvent(), context());
    expect(response.Data.PreviewUrl).toEqual('');
  });
});

describe('Update', () => {
  const old = properties();

  test('a changed name or categories is one UpdateWhatsAppFlow call with the changes', async () => {
    flowStatus('DRAFT');

    const response = await handler(updateEvent(properties({ FlowName: 'feedback_v2', Categories: ['SURVEY', 'OTHER'] }), old), context());

    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowCommand']);
    expect(socialMessaging.commandCalls(UpdateWhatsAppFlowCommand)[0].args[0].input)
      .toEqual({ id: WABA, flowId: FLOW_ID, flowName: 'feedback_v2', categories: ['SURVEY', 'OTHER'] });
    expect(response.PhysicalResourceId).toEqual(FLOW_ID);
  });

  test('categories in another order are no change', async () => {
    flowStatus('DRAFT');
    await handler(updateEvent(properties({ Categories: ['OTHER', 'SURVEY'] }), properties({ Categories: ['SURVEY', 'OTHER'] })), context());
    expect(mutatingCalls()).toEqual([]);
  });

  test('a changed Flow JSON on a draft is one UpdateWhatsAppFlowAssets call', async () => {
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: [] });

    const response = await handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json' }), old), context());

    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand']);
    expect(Buffer.from(socialMessaging.commandCalls(UpdateWhatsAppFlowAssetsCommand)[0].args[0].input.flowJson!).toString()).toEqual(FLOW_JSON);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.Key).toEqual('bbbb.json');
    expect(response.Data.FlowStatus).toEqual('DRAFT');
  });

  test('a changed Flow JSON on a published Flow puts it back to DRAFT, so it is published again, last', async () => {
    flowStatus('PUBLISHED');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    const response = await handler(updateEvent(
      properties({ FlowJsonKey: 'bbbb.json', Publish: 'true', FlowName: 'renamed' }), properties({ Publish: 'true' })), context());

    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowCommand', 'UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a changed Flow JSON that Meta rejects fails with the errors quoted', async () => {
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: ['Screen RATE is not reachable'] });

    await expect(handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json', Publish: 'true' }), old), context()))
      .rejects.toThrow(/Meta rejected the Flow JSON.*Screen RATE is not reachable/);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand']);
  });

  test('nothing changed: no mutating call at all', async () => {
    flowStatus('PUBLISHED');

    const response = await handler(updateEvent(properties({ Publish: 'true' }), properties({ Publish: 'true' })), context());

    expect(mutatingCalls()).toEqual([]);
    expect(response).toEqual({ PhysicalResourceId: FLOW_ID, Data: { FlowId: FLOW_ID, FlowStatus: 'PUBLISHED', PreviewUrl: PREVIEW_URL } });
  });

  test('a Publish refused because a lost attempt already published the Flow succeeds', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand)
      .resolvesOnce({ flowId: FLOW_ID, flowStatus: 'DRAFT', preview: { previewUrl: PREVIEW_URL, expiresAt: 'x' } })
      .resolves({ flowId: FLOW_ID, flowStatus: 'PUBLISHED' });
    socialMessaging.on(PublishWhatsAppFlowCommand)
      .rejectsOnce(error(InternalServiceException, 'lost'))
      .rejects(error(ValidationException, 'only a DRAFT flow can be published'));

    const response = await handler(updateEvent(properties({ Publish: 'true' }), old), context());
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a Publish refused while the Flow is still a draft fails', async () => {
    flowStatus('DRAFT');
    socialMessaging.on(PublishWhatsAppFlowCommand).rejects(error(ValidationException, 'Flow JSON has errors'));
    await expect(handler(updateEvent(properties({ Publish: 'true' }), old), context())).rejects.toThrow(/Flow JSON has errors/);
  });

  test('publish turned on for a draft publishes it', async () => {
    flowStatus('DRAFT');
    await handler(updateEvent(properties({ Publish: 'true' }), old), context());
    expect(mutatingCalls()).toEqual(['PublishWhatsAppFlowCommand']);
  });

  test('publish turned off leaves a published Flow published: it cannot be undone', async () => {
    flowStatus('PUBLISHED');
    const response = await handler(updateEvent(properties({ Publish: 'false' }), properties({ Publish: 'true' })), context());
    expect(mutatingCalls()).toEqual([]);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a changed WABA is a replacement: a new Flow and a new physical id; the old one is left to the Delete', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: '555' });
    flowStatus('DRAFT');

    const response = await handler(updateEvent(properties({ WhatsAppBusinessAccountId: 'waba-ffff' }), old), context());

    expect(response.PhysicalResourceId).toEqual('555');
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)[0].args[0].input.id).toEqual('waba-ffff');
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
  });

  test('the same WABA as id and as ARN is no replacement', async () => {
    flowStatus('DRAFT');
    const response = await handler(updateEvent(properties({
      WhatsAppBusinessAccountId: 'arn:aws:social-messaging:us-east-1:111111111111:waba/0123456789abcdef0123456789abcdef',
    }), old), context());
    expect(response.PhysicalResourceId).toEqual(FLOW_ID);
    expect(mutatingCalls()).toEqual([]);
  });

  test('rollback after a publish (old and new swapped) succeeds: the old JSON is pushed and published again', async () => {
    const before = properties({ Publish: 'true', FlowJsonKey: 'old.json' });
    const failedUpdate = properties({ Publish: 'true', FlowJsonKey: 'new.json' });
    // The failed update left the Flow in DRAFT with the new JSON.
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    const response = await handler(updateEvent(before, failedUpdate), context());

    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.Key).toEqual('old.json');
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('rollback of a first publish leaves the Flow published', async () => {
    flowStatus('PUBLISHED');
    await expect(handler(updateEvent(properties({ Publish: 'false' }), properties({ Publish: 'true' })), context()))
      .resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
  });

  test('a DEPRECATED Flow cannot change: the failure says to make a new one', async () => {
    flowStatus('DEPRECATED');
    await expect(handler(updateEvent(properties({ FlowName: 'x' }), old), context()))
      .rejects.toThrow(/DEPRECATED and cannot be changed.*new id/);
    expect(mutatingCalls()).toEqual([]);
  });

  test('a Flow deleted outside the stack fails the Update with what to do', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand).rejects(error(ResourceNotFoundException));
    await expect(handler(updateEvent(properties({ FlowName: 'x' }), old), context()))
      .rejects.toThrow(/no longer exists.*new id/);
  });

  test('a BLOCKED Flow is not published', async () => {
    flowStatus('BLOCKED');
    const response = await handler(updateEvent(properties({ Publish: 'true' }), old), context());
    expect(mutatingCalls()).toEqual([]);
    expect(response.Data.FlowStatus).toEqual('BLOCKED');
  });
});

describe('Delete', () => {
  test('a DRAFT is deleted', async () => {
    flowStatus('DRAFT');
    await expect(handler(deleteEvent(), context())).resolves.toEqual({ PhysicalResourceId: FLOW_ID, Data: {} });
    expect(mutatingCalls()).toEqual(['DeleteWhatsAppFlowCommand']);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)[0].args[0].input).toEqual({ id: WABA, flowId: FLOW_ID });
  });

  test('a PUBLISHED Flow is deprecated', async () => {
    flowStatus('PUBLISHED');
    await handler(deleteEvent(), context());
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlowCommand']);
  });

  test('a Deprecate refused because a lost attempt already deprecated the Flow succeeds', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand)
      .resolvesOnce({ flowId: FLOW_ID, flowStatus: 'PUBLISHED' })
      .resolves({ flowId: FLOW_ID, flowStatus: 'DEPRECATED' });
    socialMessaging.on(DeprecateWhatsAppFlowCommand)
      .rejectsOnce(error(DependencyException, 'lost'))
      .rejects(error(ValidationException, 'only a PUBLISHED flow can be deprecated'));
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
  });

  test('a DEPRECATED Flow needs nothing', async () => {
    flowStatus('DEPRECATED');
    await handler(deleteEvent(), context());
    expect(mutatingCalls()).toEqual([]);
  });

  test.each(['BLOCKED', 'THROTTLED'])('a %s Flow is left as it is, with the reason logged, and the Delete succeeds', async (status) => {
    flowStatus(status);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(mutatingCalls()).toEqual([]);
    expect(log.mock.calls.flat().join('\n')).toMatch(new RegExp(`${status}: only drafts can be deleted`));
    log.mockRestore();
  });

  test('a Flow that is already gone is a success', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand).rejects(error(ResourceNotFoundException));
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(mutatingCalls()).toEqual([]);
  });

  test('a Flow that goes between the read and the delete is a success', async () => {
    flowStatus('DRAFT');
    socialMessaging.on(DeleteWhatsAppFlowCommand).rejects(error(ResourceNotFoundException));
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
  });

  test('RemovalPolicy.RETAIN leaves the Flow untouched: no call at all', async () => {
    await handler(deleteEvent(properties({ RemovalPolicy: 'retain' })), context());
    expect(socialMessaging.calls()).toHaveLength(0);
  });

  test('the Delete after a failed Create (no Flow was made) succeeds without a call', async () => {
    await handler(deleteEvent(properties(), 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'), context());
    expect(socialMessaging.calls()).toHaveLength(0);
  });

  test('an access error fails at once', async () => {
    flowStatus('DRAFT');
    socialMessaging.on(DeleteWhatsAppFlowCommand).rejects(error(AccessDeniedException, 'no'));
    await expect(handler(deleteEvent(), context())).rejects.toThrow(/AccessDeniedException/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)).toHaveLength(1);
  });
});

describe('failures, responses and logs', () => {
  test('a validation error fails at once, without retries', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'flowName is too long'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({ flows: [] });
    await expect(handler(createEvent(), context())).rejects.toThrow(/ValidationException: flowName is too long Fix the property/);
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)).toHaveLength(1);
  });

  test('100 long validation errors: the reason stays under 1 KB and the response under 4096 bytes', async () => {
    const errors = Array.from({ length: 100 }, (_, i) => `ERROR_${i}: ${'the property is not valid here '.repeat(20)}`);
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID, validationErrors: errors });
    socialMessaging.on(DeleteWhatsAppFlowCommand).resolves({});

    const reason = await handler(createEvent(), context()).then(() => '', (e: Error) => e.message);

    expect(reason.length).toBeLessThanOrEqual(1000);
    expect(reason).toMatch(/100 validation error\(s\): 1\) ERROR_0/);
    expect(reason).toMatch(/and \d+ more\. Fix the Flow JSON file/);
    // What the Provider framework PUTs to CloudFormation for a failure.
    const body = JSON.stringify({
      Status: 'FAILED',
      Reason: reason,
      PhysicalResourceId: common.RequestId,
      StackId: common.StackId,
      RequestId: common.RequestId,
      LogicalResourceId: common.LogicalResourceId,
      NoEcho: false,
      Data: {},
    });
    expect(Buffer.byteLength(body)).toBeLessThan(4096);
  });

  test('logs name the request and the Flow but never hold the Flow JSON or the ResponseURL', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID, validationErrors: [] });
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});
    flowStatus('DRAFT');

    await handler(createEvent(), context());
    await handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json', Publish: 'true' }), properties()), context());
    await handler(deleteEvent(), context());

    const logged = log.mock.calls.flat().join('\n');
    log.mockRestore();
    expect(logged).toMatch(/Create: Flow 'customer_feedback'/);
    expect(logged).toMatch(/Update: Flow 1234567890/);
    expect(logged).toMatch(/DRAFT -> PUBLISHED/);
    expect(logged).toMatch(/Delete: Flow 1234567890/);
    expect(logged).not.toContain(FLOW_JSON_MARKER);
    expect(logged).not.toContain(RESPONSE_URL);
    expect(logged).not.toContain('secret-signature');
  });
});
