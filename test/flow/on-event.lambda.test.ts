import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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
  ListWhatsAppFlowAssetsCommand,
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
import { HandlerOptions, makeHandler } from '../../src/provider/on-event.lambda';
import { pendingCreateId } from '../../src/provider/waiting';

/** Fast back-off, and no waiting for the rate limit: a throttled-out operation fails. */
const FAST: HandlerOptions = { retryBaseDelayMs: 1, throttle: { minDelayMs: 1, firstSpreadMs: 5, maxDelayMs: 20 }, waitMs: 0 };
let handler = makeHandler(FAST);

const socialMessaging = mockClient(SocialMessagingClient);
const s3 = mockClient(S3Client);
const cloudFormation = mockClient(CloudFormationClient);

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

/** The Flow JSON the Flow holds now, as ListWhatsAppFlowAssets points to it and its download gives it. */
function currentFlowJson(json: string) {
  socialMessaging.on(ListWhatsAppFlowAssetsCommand).resolves({
    flowAssets: [{ name: 'flow.json', assetType: 'FLOW_JSON', downloadUrl: 'https://mmg.whatsapp.net/flow.json' }],
  });
  return jest.spyOn(global, 'fetch').mockImplementation(async () => new Response(json));
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

/** Console lines of the handler during one test. */
function captureLogs(): string[] {
  const lines: string[] = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.join(' ')); });
  return lines;
}

beforeEach(() => {
  handler = makeHandler(FAST);
  jest.restoreAllMocks();
  socialMessaging.reset();
  s3.reset();
  cloudFormation.reset();
  socialMessaging.on(ListWhatsAppFlowsCommand).resolves({ flows: [] });
  cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }] });
  s3.on(GetObjectCommand).callsFake(() => ({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from(FLOW_JSON)) } as any }));
});

describe('Create', () => {
  test('one CreateWhatsAppFlow call carries the Flow JSON from the asset; the flow id is the physical id', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    const response = await handler(createEvent(), context());

    // The Create's answer tells the status: no read unless the stack uses the PreviewUrl attribute.
    expect(response).toEqual({
      PhysicalResourceId: FLOW_ID,
      Data: { FlowId: FLOW_ID, FlowStatus: 'DRAFT', PreviewUrl: '' },
    });
    expect(socialMessaging.commandCalls(GetWhatsAppFlowCommand)).toHaveLength(0);
    const create = socialMessaging.commandCalls(CreateWhatsAppFlowCommand);
    expect(create).toHaveLength(1);
    expect(create[0].args[0].input).toMatchObject({ id: WABA, flowName: 'customer_feedback', categories: ['SURVEY'], publish: undefined });
    expect(Buffer.from(create[0].args[0].input.flowJson!).toString()).toEqual(FLOW_JSON);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'cdk-assets-bucket', Key: 'aaaa.json' });
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
  });

  test('a stack that uses the PreviewUrl attribute gets it from one read after the Create', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');

    const response = await handler(createEvent(properties({ ReadPreviewUrl: 'true' })), context());

    expect(response.Data).toEqual({ FlowId: FLOW_ID, FlowStatus: 'DRAFT', PreviewUrl: PREVIEW_URL });
    expect(socialMessaging.commandCalls(GetWhatsAppFlowCommand)).toHaveLength(1);
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

  test('a read failing after a successful Create is logged, not undone: the Flow stays, reported as the Create made it', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    socialMessaging.on(GetWhatsAppFlowCommand).rejects(error(AccessDeniedException, 'not allowed'));
    const logs = captureLogs();

    const response = await handler(createEvent(properties({ Publish: 'true', ReadPreviewUrl: 'true' })), context());

    expect(response).toEqual({ PhysicalResourceId: FLOW_ID, Data: { FlowId: FLOW_ID, FlowStatus: 'PUBLISHED', PreviewUrl: '' } });
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
    expect(logs.join('\n')).toMatch(/reading it failed \(AccessDeniedException\)/);
  });

  test('the name is taken: the Create fails at once, names the Flow and both ways out, and touches nothing', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'A Flow with this name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand)
      .resolvesOnce({ flows: [{ flowId: '1', flowName: 'other', flowStatus: 'DRAFT', flowCategories: ['OTHER'], validationErrors: [] }], nextToken: 'page2' })
      .resolves({ flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'PUBLISHED', flowCategories: ['SURVEY'], validationErrors: [] }] });

    await expect(handler(createEvent(properties({ Publish: 'true' })), context()))
      .rejects.toThrow(/'customer_feedback' already exists.*id 1234567890, status PUBLISHED.*another flowName.*adoptExistingFlow: true/);
    expect(socialMessaging.commandCalls(ListWhatsAppFlowsCommand)[1].args[0].input.nextToken).toEqual('page2');
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
  });

  test('a name held by a DEPRECATED Flow: the only way out is another flowName', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'A Flow with this name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DEPRECATED', flowCategories: ['SURVEY'], validationErrors: [] }],
    });

    const failure = handler(createEvent(), context());
    await expect(failure).rejects.toThrow(/status DEPRECATED.*choose another flowName/);
    await expect(failure).rejects.not.toThrow(/set adoptExistingFlow/);
    await expect(handler(createEvent(properties({ AdoptExistingFlow: 'true' })), context()))
      .rejects.toThrow(/DEPRECATED Flow .* cannot be changed: choose another flowName/);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand', 'CreateWhatsAppFlowCommand']);
  });

  test('the same Create delivered twice: one Flow; the second delivery fails naming it and changes nothing', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand)
      .resolvesOnce({ flowId: FLOW_ID })
      .rejects(error(ValidationException, 'A Flow with this name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'PUBLISHED', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    flowStatus('PUBLISHED');

    await handler(createEvent(properties({ Publish: 'true' })), context());
    await expect(handler(createEvent(properties({ Publish: 'true' })), context())).rejects.toThrow(/already exists/);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand', 'CreateWhatsAppFlowCommand']);
  });

  test('adoptExistingFlow: an existing draft is taken over and brought to the declared state', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['OTHER'], validationErrors: [] }],
    });
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    const response = await handler(createEvent(properties({ Publish: 'true', AdoptExistingFlow: 'true' })), context());

    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand', 'UpdateWhatsAppFlowCommand', 'UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
    expect(response).toMatchObject({ PhysicalResourceId: FLOW_ID, Data: { FlowStatus: 'PUBLISHED' } });
  });

  test('adoptExistingFlow: an adopted Flow is never removed when the Create then fails', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ValidationException, 'name already exists'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: ['Invalid screen'] });

    await expect(handler(createEvent(properties({ AdoptExistingFlow: 'true' })), context())).rejects.toThrow(/Invalid screen/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)).toHaveLength(0);
    expect(socialMessaging.commandCalls(DeprecateWhatsAppFlowCommand)).toHaveLength(0);
  });

  test('adoptExistingFlow with no Flow of that name: an ordinary Create', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT');
    await expect(handler(createEvent(properties({ AdoptExistingFlow: 'true' })), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(socialMessaging.commandCalls(ListWhatsAppFlowsCommand)).toHaveLength(0);
  });

  test('a lost answer after the name was seen free: the Flow is this Create\'s, and no second one is made', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(InternalServiceException, 'lost'));
    socialMessaging.on(ListWhatsAppFlowsCommand)
      .resolvesOnce({ flows: [] })
      .resolves({ flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }] });
    flowStatus('DRAFT');

    const response = await handler(createEvent(), context());

    expect(response).toMatchObject({ PhysicalResourceId: FLOW_ID, Data: { FlowStatus: 'DRAFT' } });
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand', 'CreateWhatsAppFlowCommand']);
  });

  test('a Flow a lost answer made is removed when Meta turns out to reject its JSON', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(InternalServiceException, 'lost'));
    socialMessaging.on(ListWhatsAppFlowsCommand)
      .resolvesOnce({ flows: [] })
      .resolves({ flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }] });
    socialMessaging.on(GetWhatsAppFlowCommand).resolves({ flowId: FLOW_ID, flowStatus: 'DRAFT', validationErrors: ['Invalid screen'] });
    socialMessaging.on(DeleteWhatsAppFlowCommand).resolves({});

    await expect(handler(createEvent(), context())).rejects.toThrow(/Invalid screen/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)[0].args[0].input.flowId).toEqual(FLOW_ID);
  });

  test('no answer on the first attempt while a Flow of that name exists: fails naming it, never removes it', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(DependencyException, 'Meta is unavailable'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'PUBLISHED', flowCategories: ['SURVEY'], validationErrors: [] }],
    });

    await expect(handler(createEvent(properties({ Publish: 'true' })), context()))
      .rejects.toThrow(/id 1234567890, status PUBLISHED.*may have made that Flow, or it was there before.*left as it is/);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
  });

  test('a Create rejected for another reason fails with the service message and a next step', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(AccessDeniedException, 'User is not authorized'));

    await expect(handler(createEvent(), context())).rejects.toThrow(
      /AccessDeniedException: User is not authorized Check that the WhatsApp Business Account id is right/);
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)).toHaveLength(1);
    expect(socialMessaging.commandCalls(ListWhatsAppFlowsCommand)).toHaveLength(0);
  });

  test('retryable errors outlasting the time budget fail the Create; the name was free after every attempt, so nothing was made', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(DependencyException, 'Meta is unavailable'));
    handler = makeHandler({ ...FAST, retryBaseDelayMs: 100 });

    const started = Date.now();
    await expect(handler(createEvent(), context(3_000))).rejects.toThrow(/DependencyException.*Deploy again later/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand).length).toBeGreaterThan(1);
    expect(mutatingCalls().filter((name) => name !== 'CreateWhatsAppFlowCommand')).toEqual([]);
  });

  test('throttled until the budget runs out: a Flow of that name is not ours to remove (throttled requests never apply)', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ThrottledRequestException, 'slow down'));
    socialMessaging.on(ListWhatsAppFlowsCommand).resolves({
      flows: [{ flowId: FLOW_ID, flowName: 'customer_feedback', flowStatus: 'DRAFT', flowCategories: ['SURVEY'], validationErrors: [] }],
    });
    handler = makeHandler({ ...FAST, retryBaseDelayMs: 100 });

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

    const response = await handler(createEvent(properties({ ReadPreviewUrl: 'true' })), context());
    expect(response.Data.PreviewUrl).toEqual(PREVIEW_URL);
  });

  test('a missing preview leaves the attribute empty rather than failing', async () => {
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    flowStatus('DRAFT', null);
    socialMessaging.on(GetWhatsAppFlowPreviewCommand).rejects(error(ValidationException));

    const response = await handler(createEvent(properties({ ReadPreviewUrl: 'true' })), context());
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
    // The old Flow is not in the new WABA.
    socialMessaging.on(GetWhatsAppFlowCommand, { id: 'waba-ffff', flowId: FLOW_ID }).rejects(error(ResourceNotFoundException));

    const response = await handler(updateEvent(properties({ WhatsAppBusinessAccountId: 'waba-ffff' }), old), context());

    expect(response.PhysicalResourceId).toEqual('555');
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)[0].args[0].input.id).toEqual('waba-ffff');
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlowCommand']);
  });

  test('the rollback of a replacement (WABA swapped back): the original Flow is in the WABA asked for, so it is no replacement', async () => {
    flowStatus('DRAFT');
    const response = await handler(updateEvent(old, properties({ WhatsAppBusinessAccountId: 'waba-ffff' })), context());
    expect(response.PhysicalResourceId).toEqual(FLOW_ID);
    expect(mutatingCalls()).toEqual([]);
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

  test('new Flow JSON on a PUBLISHED Flow with publish false fails before any change, saying what to set', async () => {
    flowStatus('PUBLISHED');
    const download = currentFlowJson('{"version":"7.3","screens":["the JSON on the air"]}');
    await expect(handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json' }), properties({ Publish: 'true' })), context()))
      .rejects.toThrow(/Flow 1234567890 is PUBLISHED: new Flow JSON would put it back to DRAFT.*Set publish: true/);
    expect(mutatingCalls()).toEqual([]);
    // The answer depends on whether the Flow already holds the declared JSON: both are read, nothing is written.
    expect(download).toHaveBeenCalledWith('https://mmg.whatsapp.net/flow.json', expect.anything());
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.Key).toEqual('bbbb.json');
  });

  test.each([
    ['UPDATE_IN_PROGRESS', 'a forward Update'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'a rollback'],
  ])('publish false on a PUBLISHED Flow that already holds the declared JSON (%s): %s succeeds with no mutating call', async (stackStatus) => {
    flowStatus('PUBLISHED');
    currentFlowJson(FLOW_JSON);
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: stackStatus as any, CreationTime: new Date() }] });

    const response = await handler(updateEvent(properties({ FlowJsonKey: 'old.json' }), properties({ FlowJsonKey: 'new.json' })), context());

    expect(mutatingCalls()).toEqual([]);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a rollback that Meta refuses succeeds, leaves the Flow as it is and says what differs', async () => {
    flowStatus('PUBLISHED');
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    socialMessaging.on(UpdateWhatsAppFlowCommand).rejects(error(ValidationException, 'name taken'));
    const logs = captureLogs();

    const response = await handler(updateEvent(properties({ FlowName: 'old_name' }), properties()), context());

    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
    expect(logs.join('\n')).toMatch(/rollback: Flow 1234567890 is left as it is \(ValidationException on the way\).*differs .* in name/);
  });

  test('the same refusal in a forward Update fails with the service message', async () => {
    flowStatus('DRAFT');
    socialMessaging.on(UpdateWhatsAppFlowCommand).rejects(error(ValidationException, 'name taken'));

    await expect(handler(updateEvent(properties({ FlowName: 'new_name' }), properties()), context())).rejects.toThrow(/ValidationException: name taken/);
  });

  test('the same change while CloudFormation rolls back: the previous JSON is pushed and published again, so it stays live', async () => {
    flowStatus('PUBLISHED');
    currentFlowJson('{"version":"7.3","screens":["the newer JSON"]}');
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    const response = await handler(updateEvent(properties({ FlowJsonKey: 'old.json' }), properties({ FlowJsonKey: 'new.json', Publish: 'true' })), context());

    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: common.StackId });
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('a throttled DescribeStacks is retried: a rollback is not taken for a forward Update because CloudFormation was busy', async () => {
    flowStatus('PUBLISHED');
    currentFlowJson('{"version":"7.3","screens":["the newer JSON"]}');
    cloudFormation.on(DescribeStacksCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }))
      .resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    const response = await handler(updateEvent(properties({ FlowJsonKey: 'old.json' }), properties({ FlowJsonKey: 'new.json', Publish: 'true' })), context());

    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
    expect(response.Data.FlowStatus).toEqual('PUBLISHED');
  });

  test('when the stack status cannot be read, the change is refused as in a normal update', async () => {
    flowStatus('PUBLISHED');
    currentFlowJson('{"version":"7.3","screens":["the JSON on the air"]}');
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json' }), properties({ Publish: 'true' })), context()))
      .rejects.toThrow(/take it off the air/);
    expect(mutatingCalls()).toEqual([]);
  });

  test('Meta rejects new JSON on a PUBLISHED Flow: the previous JSON is restored and published, then the Update fails with the errors', async () => {
    flowStatus('PUBLISHED');
    socialMessaging.on(GetWhatsAppFlowCommand)
      .resolvesOnce({ flowId: FLOW_ID, flowStatus: 'PUBLISHED', preview: { previewUrl: PREVIEW_URL, expiresAt: 'x' } })
      .resolves({ flowId: FLOW_ID, flowStatus: 'DRAFT' });
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand)
      .resolvesOnce({ validationErrors: ['Screen RATE is not reachable'] })
      .resolves({ validationErrors: [] });
    socialMessaging.on(PublishWhatsAppFlowCommand).resolves({});

    await expect(handler(updateEvent(properties({ FlowJsonKey: 'new.json', Publish: 'true' }), properties({ FlowJsonKey: 'old.json', Publish: 'true' })), context()))
      .rejects.toThrow(/Meta rejected the Flow JSON.*Screen RATE is not reachable/);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['new.json', 'old.json']);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand', 'UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
  });

  test('a publish that fails after new JSON on a PUBLISHED Flow also restores the previous JSON', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand)
      .resolvesOnce({ flowId: FLOW_ID, flowStatus: 'PUBLISHED', preview: { previewUrl: PREVIEW_URL, expiresAt: 'x' } })
      .resolves({ flowId: FLOW_ID, flowStatus: 'DRAFT' });
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: [] });
    socialMessaging.on(PublishWhatsAppFlowCommand)
      .rejectsOnce(error(ValidationException, 'the endpoint is not healthy'))
      .resolves({});

    await expect(handler(updateEvent(properties({ FlowJsonKey: 'new.json', Publish: 'true' }), properties({ FlowJsonKey: 'old.json', Publish: 'true' })), context()))
      .rejects.toThrow(/the endpoint is not healthy/);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand', 'UpdateWhatsAppFlowAssetsCommand', 'PublishWhatsAppFlowCommand']);
  });

  test('Meta\'s JSON-encoded validation errors are quoted as path or line:column and message', async () => {
    flowStatus('DRAFT');
    const encoded = JSON.stringify({
      error: 'INVALID_PROPERTY_VALUE',
      error_type: 'FLOW_JSON_ERROR',
      message: 'Invalid value found for property \'type\' in component',
      line_start: 12,
      line_end: 12,
      column_start: 5,
      column_end: 20,
      pointers: [{ line_start: 12, line_end: 12, column_start: 5, column_end: 20, path: 'screens[0].layout.children[0].type' }],
    });
    const noPath = JSON.stringify({ error: 'MISSING_REQUIRED_PROPERTY', error_type: 'FLOW_JSON_ERROR', message: 'Property \'title\' is required', line_start: 3, column_start: 7 });
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: [encoded, noPath] });

    await expect(handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json' }), old), context())).rejects.toThrow(
      "1) screens[0].layout.children[0].type: INVALID_PROPERTY_VALUE: Invalid value found for property 'type' in component; "
      + "2) 3:7: MISSING_REQUIRED_PROPERTY: Property 'title' is required.");
  });

  test('new JSON on a BLOCKED Flow with publish true: the status is read again, and a Flow still held fails the deploy', async () => {
    flowStatus('BLOCKED');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({});

    await expect(handler(updateEvent(properties({ FlowJsonKey: 'bbbb.json', Publish: 'true' }), old), context()))
      .rejects.toThrow(/Flow 1234567890 is BLOCKED, so publish: true cannot be carried out/);
    expect(socialMessaging.commandCalls(GetWhatsAppFlowCommand)).toHaveLength(2);
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

  test('a Flow deleted outside the stack is made again: a new physical id, and the reason is logged', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand)
      .rejectsOnce(error(ResourceNotFoundException))
      .resolves({ flowId: '777', flowStatus: 'DRAFT', preview: { previewUrl: PREVIEW_URL, expiresAt: 'x' } });
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: '777' });
    const logs = captureLogs();

    const response = await handler(updateEvent(properties({ FlowName: 'x' }), old), context());

    expect(response.PhysicalResourceId).toEqual('777');
    expect(socialMessaging.commandCalls(CreateWhatsAppFlowCommand)[0].args[0].input.flowName).toEqual('x');
    expect(logs.join('\n')).toMatch(/no longer exists .*deleted outside this stack.*creating it again/);
  });

  test('a BLOCKED Flow whose JSON does not change is not published, and the deploy goes on', async () => {
    flowStatus('BLOCKED');
    const response = await handler(updateEvent(properties({ Publish: 'true' }), old), context());
    expect(mutatingCalls()).toEqual([]);
    expect(response.Data.FlowStatus).toEqual('BLOCKED');
  });
});

describe('Delete', () => {
  /** Meta accepts a delete only for a DRAFT and a deprecation only for a PUBLISHED Flow. */
  function metaStatus(status: string) {
    flowStatus(status);
    socialMessaging.on(DeleteWhatsAppFlowCommand).callsFake(() => {
      if (status !== 'DRAFT') throw error(ValidationException, `Flow is ${status}; only a DRAFT flow can be deleted.`);
      return {};
    });
    socialMessaging.on(DeprecateWhatsAppFlowCommand).callsFake(() => {
      if (status !== 'PUBLISHED') throw error(ValidationException, `Flow is ${status}; only a PUBLISHED flow can be deprecated.`);
      return {};
    });
  }
  const reads = () => socialMessaging.commandCalls(GetWhatsAppFlowCommand).length;

  test('a DRAFT (publish: false) is deleted with one call and no read', async () => {
    metaStatus('DRAFT');
    await expect(handler(deleteEvent(), context())).resolves.toEqual({ PhysicalResourceId: FLOW_ID, Data: {} });
    expect(mutatingCalls()).toEqual(['DeleteWhatsAppFlowCommand']);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)[0].args[0].input).toEqual({ id: WABA, flowId: FLOW_ID });
    expect(reads()).toBe(0);
  });

  test('a PUBLISHED Flow (publish: true) is deprecated with one call and no read', async () => {
    metaStatus('PUBLISHED');
    await handler(deleteEvent(properties({ Publish: 'true' })), context());
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlowCommand']);
    expect(reads()).toBe(0);
  });

  test('a guess Meta refuses changes nothing: the status is read and decides (published before publish was set to false)', async () => {
    metaStatus('PUBLISHED');
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(mutatingCalls()).toEqual(['DeleteWhatsAppFlowCommand', 'DeprecateWhatsAppFlowCommand']);
  });

  test('publish: true but the Flow stayed DRAFT: the refused deprecation leads to the delete', async () => {
    metaStatus('DRAFT');
    await expect(handler(deleteEvent(properties({ Publish: 'true' })), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlowCommand', 'DeleteWhatsAppFlowCommand']);
  });

  test('a Deprecate refused because a lost attempt already deprecated the Flow succeeds', async () => {
    socialMessaging.on(GetWhatsAppFlowCommand).resolves({ flowId: FLOW_ID, flowStatus: 'DEPRECATED' });
    socialMessaging.on(DeprecateWhatsAppFlowCommand)
      .rejectsOnce(error(DependencyException, 'lost'))
      .rejects(error(ValidationException, 'only a PUBLISHED flow can be deprecated'));
    await expect(handler(deleteEvent(properties({ Publish: 'true' })), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlowCommand']);
  });

  test('a DEPRECATED Flow needs nothing', async () => {
    metaStatus('DEPRECATED');
    await handler(deleteEvent(properties({ Publish: 'true' })), context());
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlowCommand']);
    await handler(deleteEvent(), context());
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlowCommand', 'DeleteWhatsAppFlowCommand']);
  });

  test.each(['BLOCKED', 'THROTTLED'])('a %s Flow is left as it is, with the reason logged, and the Delete succeeds', async (status) => {
    metaStatus(status);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    expect(mutatingCalls()).toEqual(['DeleteWhatsAppFlowCommand']);
    expect(log.mock.calls.flat().join('\n')).toMatch(new RegExp(`${status}: only drafts can be deleted`));
    log.mockRestore();
  });

  test('a Flow that is already gone, or was never created, is a success (rule 6)', async () => {
    socialMessaging.on(DeleteWhatsAppFlowCommand).rejects(error(ResourceNotFoundException));
    socialMessaging.on(GetWhatsAppFlowCommand).rejects(error(ResourceNotFoundException));
    await expect(handler(deleteEvent(), context())).resolves.toMatchObject({ PhysicalResourceId: FLOW_ID });
    await expect(handler(deleteEvent(properties(), '999999999'), context())).resolves.toMatchObject({ PhysicalResourceId: '999999999' });
  });

  test('the Delete of a Create that waited for the rate limit and made nothing succeeds without a call', async () => {
    await expect(handler(deleteEvent(properties(), pendingCreateId('request-1')), context()))
      .resolves.toEqual({ PhysicalResourceId: pendingCreateId('request-1'), Data: {} });
    expect(socialMessaging.calls()).toHaveLength(0);
  });

  test('an access error fails at once', async () => {
    metaStatus('DRAFT');
    socialMessaging.on(DeleteWhatsAppFlowCommand).rejects(error(AccessDeniedException, 'no'));
    await expect(handler(deleteEvent(), context())).rejects.toThrow(/AccessDeniedException/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppFlowCommand)).toHaveLength(1);
    expect(reads()).toBe(0);
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

describe('waiting for the rate limit (isComplete)', () => {
  const waiting = () => makeHandler({ ...FAST, waitMs: 60_000 });
  /** What the Provider framework hands isComplete: the request with onEvent's answer merged in. */
  const continued = (event: CloudFormationCustomResourceEvent, answer: object) => ({ ...event, ...answer }) as any;

  test('a Create throttled before it was sent waits: a pending id, no Data, nothing made; isComplete then creates once', async () => {
    const handle = waiting();
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ThrottledRequestException, 'slow down'));

    const pending = await handle(createEvent(), context(1_000));
    expect(pending).toMatchObject({ PhysicalResourceId: pendingCreateId('request-1'), Data: {} });
    expect(pending.RateLimitWait).toBeDefined();
    expect(socialMessaging.commandCalls(ListWhatsAppFlowsCommand)).toHaveLength(0);

    // Still throttled: not complete, and no Data (the framework refuses Data with IsComplete: false).
    expect(await handle(continued(createEvent(), pending), context(1_000))).toEqual({
      PhysicalResourceId: pendingCreateId('request-1'), Data: {}, IsComplete: false,
    });

    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    const done = await handle(continued(createEvent(), pending), context());
    expect(done).toEqual({ IsComplete: true, PhysicalResourceId: FLOW_ID, Data: { FlowId: FLOW_ID, FlowStatus: 'DRAFT', PreviewUrl: '' } });
    expect(mutatingCalls().filter((name) => name !== 'CreateWhatsAppFlowCommand')).toEqual([]);
  });

  test('an operation onEvent finished: isComplete confirms it without a call', async () => {
    const handle = waiting();
    socialMessaging.on(CreateWhatsAppFlowCommand).resolves({ flowId: FLOW_ID });
    const answer = await handle(createEvent(), context());
    socialMessaging.resetHistory();
    expect(await handle(continued(createEvent(), answer), context())).toEqual({ PhysicalResourceId: FLOW_ID, Data: {}, IsComplete: true });
    expect(socialMessaging.calls()).toHaveLength(0);
  });

  test('past its deadline, a continuation still throttled fails with the reason instead of waiting again', async () => {
    const handle = waiting();
    socialMessaging.on(CreateWhatsAppFlowCommand).rejects(error(ThrottledRequestException, 'slow down'));
    const pending = await handle(createEvent(), context(1_000));
    const late = { ...pending, RateLimitWait: { since: Date.now() - 120_000, deadline: Date.now() - 1 } };
    await expect(handle(continued(createEvent(), late), context(1_000))).rejects.toThrow(/ThrottledRequestException.*Deploy again later/);
  });

  test('once a mutating call was applied, a throttled Update is not handed over: it fails as before (and restores the live Flow)', async () => {
    const handle = waiting();
    flowStatus('PUBLISHED');
    socialMessaging.on(UpdateWhatsAppFlowAssetsCommand).resolves({ validationErrors: [] });
    socialMessaging.on(PublishWhatsAppFlowCommand).rejects(error(ThrottledRequestException, 'slow down'));
    const next = properties({ Publish: 'true', FlowJsonKey: 'bbbb.json' });
    await expect(handle(updateEvent(next, properties({ Publish: 'true' })), context(2_000))).rejects.toThrow(/ThrottledRequestException/);
  });

  test('a Delete throttled before anything changed waits, and its continuation deprecates once', async () => {
    const handle = waiting();
    socialMessaging.on(DeprecateWhatsAppFlowCommand).rejects(error(ThrottledRequestException, 'slow down'));
    const event = deleteEvent(properties({ Publish: 'true' }));
    const pending = await handle(event, context(1_000));
    expect(pending).toMatchObject({ PhysicalResourceId: FLOW_ID, Data: {} });
    expect(pending.RateLimitWait).toBeDefined();

    socialMessaging.on(DeprecateWhatsAppFlowCommand).resolves({});
    expect(await handle(continued(event, pending), context())).toEqual({ IsComplete: true, PhysicalResourceId: FLOW_ID, Data: {} });
  });
});
