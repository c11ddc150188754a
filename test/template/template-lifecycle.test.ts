import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AccessDeniedException,
  CreateWhatsAppMessageTemplateCommand,
  DeleteWhatsAppMessageTemplateCommand,
  GetWhatsAppMessageTemplateCommand,
  InternalServiceException,
  ListWhatsAppMessageTemplatesCommand,
  ResourceNotFoundException,
  SocialMessagingClient,
  ThrottledRequestException,
  UpdateWhatsAppMessageTemplateCommand,
  ValidationException,
} from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { HandlerOptions, makeHandler } from '../../src/provider/on-event.lambda';

/** Fast back-off, and no waiting for the rate limit: a throttled-out operation fails. */
const FAST: HandlerOptions = { retryBaseDelayMs: 1, throttle: { minDelayMs: 1, firstSpreadMs: 5, maxDelayMs: 20 }, waitMs: 0 };
let handler = makeHandler(FAST);
import { TEMPLATE_RESOURCE_TYPE, TemplateResourceProperties } from '../../src/template/contract';
import { templateComponents } from '../../src/template/template-definition';

const socialMessaging = mockClient(SocialMessagingClient);
const cloudFormation = mockClient(CloudFormationClient);

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const TEMPLATE_ID = '987654321';
const NEW_TEMPLATE_ID = '987654322';
const FLOW_ID = '1234567890';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/secret-signature';
/** Message content: none of it may reach a log. */
const CONTENT = {
  Body: 'Thanks for your order {{1}}! BODY-CONTENT-MARKER',
  BodyExamples: ['EXAMPLE-CONTENT-MARKER'],
  Header: 'HEADER-CONTENT-MARKER',
  Footer: 'FOOTER-CONTENT-MARKER',
  ButtonText: 'BUTTON-MARKER',
};
const CONTENT_MARKERS = ['BODY-CONTENT-MARKER', 'EXAMPLE-CONTENT-MARKER', 'HEADER-CONTENT-MARKER', 'FOOTER-CONTENT-MARKER', 'BUTTON-MARKER'];

const MUTATING = [CreateWhatsAppMessageTemplateCommand, UpdateWhatsAppMessageTemplateCommand, DeleteWhatsAppMessageTemplateCommand];

function properties(overrides: Partial<TemplateResourceProperties> = {}): TemplateResourceProperties {
  return {
    WhatsAppBusinessAccountId: WABA,
    TemplateName: 'feedback_request',
    Language: 'en_US',
    Category: 'MARKETING',
    ...CONTENT,
    FlowId: FLOW_ID,
    FlowAction: 'navigate',
    NavigateScreen: 'RECOMMEND',
    ...overrides,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:framework',
  ResponseURL: RESPONSE_URL,
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Example/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'FeedbackTemplateA1B2C3',
  ResourceType: TEMPLATE_RESOURCE_TYPE,
};

function createEvent(props = properties()): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: { ServiceToken: common.ServiceToken, ...props } };
}

function updateEvent(props: TemplateResourceProperties, old = properties(), physicalId = TEMPLATE_ID): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...props },
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...old },
  };
}

function deleteEvent(props = properties(), physicalId = TEMPLATE_ID): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: { ServiceToken: common.ServiceToken, ...props } };
}

function context(remainingMs = 60_000): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

function error<T>(type: new (opts: any) => T, message = 'boom'): T {
  return new type({ message, $metadata: {} });
}

/**
 * The components as Meta echoes them: its own key order, fields it fills in, `flow_action` in capitals and a numeric
 * `flow_id`. The handler compares only what it sends.
 */
function metaComponents(props: TemplateResourceProperties): unknown[] {
  return templateComponents(props).map((component) => {
    const echoed: Record<string, unknown> = Object.fromEntries(Object.entries(component).reverse());
    if (Array.isArray(component.buttons)) {
      echoed.buttons = (component.buttons as Array<Record<string, unknown>>).map((b) => ({
        ...b, flow_id: Number(b.flow_id), flow_action: String(b.flow_action).toUpperCase(), id: 'meta-button-id',
      }));
    }
    return echoed;
  });
}

/** What GetWhatsAppMessageTemplate answers: Meta's template as a JSON string, holding `props` (default: the deployed ones). */
function metaTemplate(status: string, extra: Record<string, unknown> = {}, props = properties()) {
  return {
    template: JSON.stringify({
      id: TEMPLATE_ID,
      name: 'feedback_request',
      language: 'en_US',
      category: props.Category,
      status,
      parameter_format: 'POSITIONAL',
      components: metaComponents(props),
      ...extra,
    }),
  };
}

function mutatingCalls(): string[] {
  return socialMessaging.calls()
    .map((call) => call.args[0])
    .filter((command) => MUTATING.some((type) => command instanceof type))
    .map((command) => command.constructor.name);
}

function captureLogs(): string[] {
  const lines: string[] = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.join(' ')); });
  return lines;
}

function expectCleanLogs(lines: string[]): void {
  const all = lines.join('\n');
  for (const marker of CONTENT_MARKERS) expect(all).not.toContain(marker);
  expect(all).not.toContain(RESPONSE_URL);
}

async function failure(event: CloudFormationCustomResourceEvent): Promise<string> {
  try {
    await handler(event, context());
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the handler did not fail');
}

beforeEach(() => {
  handler = makeHandler(FAST);
  jest.restoreAllMocks();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  socialMessaging.reset();
  cloudFormation.reset();
  socialMessaging.on(ListWhatsAppMessageTemplatesCommand).resolves({ templates: [] });
  cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }] });
});

describe('Create', () => {
  test('one CreateWhatsAppMessageTemplate with Meta\'s template JSON; the FLOW button carries the Flow\'s id', async () => {
    const logs = captureLogs();
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: TEMPLATE_ID, templateStatus: 'PENDING', category: 'MARKETING' });

    const response = await handler(createEvent(), context());

    expect(response).toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: { MetaTemplateId: TEMPLATE_ID, TemplateStatus: 'PENDING' } });
    const [create] = socialMessaging.commandCalls(CreateWhatsAppMessageTemplateCommand);
    expect(create.args[0].input.id).toBe(WABA);
    expect(JSON.parse(Buffer.from(create.args[0].input.templateDefinition!).toString())).toEqual({
      name: 'feedback_request',
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'HEADER', format: 'TEXT', text: CONTENT.Header },
        { type: 'BODY', text: CONTENT.Body, example: { body_text: [CONTENT.BodyExamples] } },
        { type: 'FOOTER', text: CONTENT.Footer },
        { type: 'BUTTONS', buttons: [{ type: 'FLOW', text: CONTENT.ButtonText, flow_id: FLOW_ID, flow_action: 'navigate', navigate_screen: 'RECOMMEND' }] },
      ],
    });
    expect(mutatingCalls()).toEqual(['CreateWhatsAppMessageTemplateCommand']);
    expect(logs.join('\n')).toMatch(/created template 987654321 'feedback_request' \(en_US\)/);
    expectCleanLogs(logs);
  });

  test('a data_exchange button sends no screen; a header variable sends its sample; a WABA ARN becomes the id', async () => {
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: TEMPLATE_ID, templateStatus: 'APPROVED' });
    await handler(createEvent(properties({
      WhatsAppBusinessAccountId: 'arn:aws:social-messaging:us-east-1:111111111111:waba/0123456789abcdef0123456789abcdef',
      FlowAction: 'data_exchange',
      NavigateScreen: undefined,
      Header: 'Hello {{1}}',
      HeaderExample: 'Ana',
      Footer: '',
    })), context());
    const input = socialMessaging.commandCalls(CreateWhatsAppMessageTemplateCommand)[0].args[0].input;
    expect(input.id).toBe(WABA);
    const components = JSON.parse(Buffer.from(input.templateDefinition!).toString()).components;
    expect(components[0]).toEqual({ type: 'HEADER', format: 'TEXT', text: 'Hello {{1}}', example: { header_text: ['Ana'] } });
    expect(components.map((c: any) => c.type)).toEqual(['HEADER', 'BODY', 'BUTTONS']);
    expect(components[2].buttons[0]).toEqual({ type: 'FLOW', text: CONTENT.ButtonText, flow_id: FLOW_ID, flow_action: 'data_exchange' });
  });

  test('values that were tokens at synth time are checked now: nothing is sent that Meta would refuse', async () => {
    const message = await failure(createEvent(properties({ TemplateName: 'Feedback Request', Language: 'english', ButtonText: 'x'.repeat(26) })));
    expect(message).toMatch(/^Template 'Feedback Request' \(english\): templateName 'Feedback Request' must be .*; language 'english' is not a locale .*; the button text must be 1 to 25 characters long, not 26\. Nothing was created\./);
    expect(socialMessaging.calls()).toHaveLength(0);
  });

  test('a button without a usable action or screen fails before any call', async () => {
    expect(await failure(createEvent(properties({ NavigateScreen: '' })))).toMatch(/a navigate button needs the screen the Flow opens on/);
    expect(await failure(createEvent(properties({ FlowAction: 'open' })))).toMatch(/the button's action 'open' is neither navigate nor data_exchange/);
    expect(socialMessaging.calls()).toHaveLength(0);
  });

  test('rejected at once: fails with Meta\'s reason and deletes the template it made (this language only)', async () => {
    const logs = captureLogs();
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: TEMPLATE_ID, templateStatus: 'REJECTED' });
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('REJECTED', { rejected_reason: 'INVALID_FORMAT' }));
    socialMessaging.on(DeleteWhatsAppMessageTemplateCommand).resolves({});

    const message = await failure(createEvent());

    expect(message).toMatch(/Meta rejected template 'feedback_request' \(en_US\) at once: INVALID_FORMAT\. The rejected template was deleted again/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppMessageTemplateCommand)[0].args[0].input).toEqual({
      id: WABA, templateName: 'feedback_request', metaTemplateId: TEMPLATE_ID,
    });
    expectCleanLogs(logs);
  });

  test('a long rejection reason keeps the failure reason within 1 KB', async () => {
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: TEMPLATE_ID, templateStatus: 'REJECTED' });
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('REJECTED', { rejected_reason: 'R'.repeat(5000) }));
    socialMessaging.on(DeleteWhatsAppMessageTemplateCommand).resolves({});
    const message = await failure(createEvent());
    expect(message.length).toBeLessThanOrEqual(1000);
    expect(message).toMatch(/^Meta rejected template/);
  });

  test('a taken name and language fails before any change, naming the template and the way out', async () => {
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand).resolves({
      templates: [
        { templateName: 'feedback_request', templateLanguage: 'pt_BR', metaTemplateId: '1', templateStatus: 'APPROVED' },
        { templateName: 'feedback_request', templateLanguage: 'en_US', metaTemplateId: '555', templateStatus: 'APPROVED' },
      ],
    });
    const message = await failure(createEvent());
    expect(message).toMatch(/A template named 'feedback_request' in en_US already exists in waba-0123456789abcdef0123456789abcdef: id 555, status APPROVED\. It was left as it is/);
    expect(message).toMatch(/Choose another templateName \(or language\); or, .* delete it in WhatsApp Manager/);
    expect(mutatingCalls()).toEqual([]);
  });

  test('the same name in another language is another template: created', async () => {
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand).resolves({
      templates: [{ templateName: 'feedback_request', templateLanguage: 'pt_BR', metaTemplateId: '1', templateStatus: 'APPROVED' }],
    });
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: TEMPLATE_ID, templateStatus: 'PENDING' });
    expect((await handler(createEvent(), context())).PhysicalResourceId).toBe(TEMPLATE_ID);
  });

  test('the name lookup reads every page', async () => {
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand, { id: WABA, nextToken: undefined, maxResults: 100 })
      .resolves({ templates: [], nextToken: 'page-2' });
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand, { id: WABA, nextToken: 'page-2', maxResults: 100 })
      .resolves({ templates: [{ templateName: 'feedback_request', templateLanguage: 'en_US', metaTemplateId: '555', templateStatus: 'PAUSED' }] });
    expect(await failure(createEvent())).toMatch(/id 555, status PAUSED/);
  });

  test('a lost answer, then the template found: provably this Create\'s (the name was free before), not made twice', async () => {
    const logs = captureLogs();
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand)
      .resolvesOnce({ templates: [] })
      .resolves({ templates: [{ templateName: 'feedback_request', templateLanguage: 'en_US', metaTemplateId: TEMPLATE_ID, templateStatus: 'PENDING' }] });
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).rejects(error(InternalServiceException));

    const response = await handler(createEvent(), context());

    expect(response.PhysicalResourceId).toBe(TEMPLATE_ID);
    expect(socialMessaging.commandCalls(CreateWhatsAppMessageTemplateCommand)).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/got no answer \(InternalServiceException\), but made template 987654321/);
  });

  test('a lost answer whose lookup fails, then a retry refused as a duplicate: still this Create\'s', async () => {
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand)
      .resolvesOnce({ templates: [] })
      .rejectsOnce(error(AccessDeniedException))
      .resolves({ templates: [{ templateName: 'feedback_request', templateLanguage: 'en_US', metaTemplateId: TEMPLATE_ID, templateStatus: 'PENDING' }] });
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand)
      .rejectsOnce(error(InternalServiceException))
      .rejects(error(ValidationException, 'Content in this language already exists'));
    expect((await handler(createEvent(), context())).PhysicalResourceId).toBe(TEMPLATE_ID);
  });

  test('a name taken by another creator between the lookup and the Create: fails naming it', async () => {
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand)
      .resolvesOnce({ templates: [] })
      .resolves({ templates: [{ templateName: 'feedback_request', templateLanguage: 'en_US', metaTemplateId: '777', templateStatus: 'PENDING' }] });
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).rejects(error(ValidationException, 'Content in this language already exists'));
    expect(await failure(createEvent())).toMatch(/already exists in .*: id 777, status PENDING/);
    expect(socialMessaging.commandCalls(DeleteWhatsAppMessageTemplateCommand)).toHaveLength(0);
  });

  test('throttling and 5xx are retried with backoff; a validation error fails at once with advice', async () => {
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand)
      .rejectsOnce(error(ThrottledRequestException))
      .resolves({ metaTemplateId: TEMPLATE_ID, templateStatus: 'PENDING' });
    expect((await handler(createEvent(), context())).PhysicalResourceId).toBe(TEMPLATE_ID);

    socialMessaging.reset();
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand).resolves({ templates: [] });
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).rejects(error(ValidationException, 'Invalid parameter'));
    expect(await failure(createEvent())).toMatch(/^ValidationException: Invalid parameter Fix the property the message names/);
    expect(socialMessaging.commandCalls(CreateWhatsAppMessageTemplateCommand)).toHaveLength(1);
  });

  test('retryable errors that outlast the budget fail with a reason', async () => {
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).rejects(error(ThrottledRequestException));
    await expect(handler(createEvent(), context(2_000))).rejects.toThrow(/RetryBudgetExhausted: CreateWhatsAppMessageTemplate still failed after \d+ attempts .*Deploy again later/);
  });
});

describe('Update', () => {
  const edited = properties({ Body: 'Thanks for order {{1}}! BODY-CONTENT-MARKER edited' });

  test('new components on an APPROVED template: UpdateWhatsAppMessageTemplate with the components only, then its status', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED')).resolves(metaTemplate('PENDING'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});

    const response = await handler(updateEvent(edited), context());

    expect(response).toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: { MetaTemplateId: TEMPLATE_ID, TemplateStatus: 'PENDING' } });
    const input = socialMessaging.commandCalls(UpdateWhatsAppMessageTemplateCommand)[0].args[0].input;
    expect(input).toMatchObject({ id: WABA, metaTemplateId: TEMPLATE_ID, templateCategory: undefined });
    const components = JSON.parse(Buffer.from(input.templateComponents!).toString());
    expect(components[1]).toEqual({ type: 'BODY', text: edited.Body, example: { body_text: [CONTENT.BodyExamples] } });
    expect(components[3].buttons[0].flow_id).toBe(FLOW_ID);
    expectCleanLogs(logs);
  });

  test('a new Flow id (the Flow was replaced) edits the button', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    await handler(updateEvent(properties({ FlowId: '1111' })), context());
    const input = socialMessaging.commandCalls(UpdateWhatsAppMessageTemplateCommand)[0].args[0].input;
    expect(JSON.parse(Buffer.from(input.templateComponents!).toString())[3].buttons[0].flow_id).toBe('1111');
  });

  test('nothing Meta keeps changed (the removal policy, say): no call but the read', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    const response = await handler(updateEvent(properties()), context());
    expect(response.Data.TemplateStatus).toBe('APPROVED');
    expect(mutatingCalls()).toEqual([]);
  });

  test('a PENDING template cannot be edited: fails before any change, saying what to do', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('PENDING'));
    expect(await failure(updateEvent(edited))).toMatch(
      /Template 987654321 is PENDING, and Meta only lets APPROVED, REJECTED or PAUSED templates be edited\. .*new templateName to replace it\. Nothing was changed\./);
    expect(mutatingCalls()).toEqual([]);
  });

  test('the rollback of an edit that Meta now reviews succeeds, and says the template keeps its newer content', async () => {
    const logs = captureLogs();
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('PENDING', {}, edited));
    const response = await handler(updateEvent(properties(), edited), context());
    expect(response.Data.TemplateStatus).toBe('PENDING');
    expect(mutatingCalls()).toEqual([]);
    expect(logs.join('\n')).toMatch(/the rollback leaves template 987654321 as it is \(PENDING\): it differs from what the rollback restores in BODY, .*It keeps its newer content/);
  });

  test('the category of an APPROVED template cannot change; of a REJECTED one it can', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    expect(await failure(updateEvent(properties({ Category: 'UTILITY' })))).toMatch(
      /Meta does not let the category of an approved template change\. Keep the category, or give the template a new templateName/);
    expect(mutatingCalls()).toEqual([]);

    socialMessaging.reset();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('REJECTED')).resolves(metaTemplate('PENDING'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    await handler(updateEvent(properties({ Category: 'UTILITY' })), context());
    const input = socialMessaging.commandCalls(UpdateWhatsAppMessageTemplateCommand)[0].args[0].input;
    expect(input.templateCategory).toBe('UTILITY');
    expect(input.templateComponents).toBeUndefined();
  });

  test('an edit Meta rejects at once fails with its reason', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED'))
      .resolves(metaTemplate('REJECTED', { rejected_reason: 'PROMOTIONAL' }));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    expect(await failure(updateEvent(edited))).toMatch(/Meta rejected the edit of template 'feedback_request' \(en_US\) \(id 987654321\) at once: PROMOTIONAL/);
  });

  test('a success stays a success: the read after the edit failing reports PENDING', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED')).rejects(error(AccessDeniedException));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    const response = await handler(updateEvent(edited), context());
    expect(response.Data.TemplateStatus).toBe('PENDING');
    expect(logs.join('\n')).toMatch(/was edited, but reading it failed \(AccessDeniedException\)/);
  });

  test('components over 3000 characters of JSON fail before the edit', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    const long = properties({
      Body: `${'b'.repeat(1000)} {{1}} {{2}} {{3}}`, BodyExamples: ['e'.repeat(700), 'e'.repeat(700), 'e'.repeat(700)],
    });
    expect(await failure(updateEvent(long))).toMatch(/its components are \d+ characters of JSON, and an edit takes at most 3000\. Nothing was changed/);
    expect(mutatingCalls()).toEqual([]);
  });

  test('a new name or language is a replacement: a new template, and no edit or delete of the old one', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: NEW_TEMPLATE_ID, templateStatus: 'PENDING' });
    const renamed = await handler(updateEvent(properties({ TemplateName: 'feedback_request_v2' })), context());
    expect(renamed.PhysicalResourceId).toBe(NEW_TEMPLATE_ID);
    const relanguaged = await handler(updateEvent(properties({ Language: 'pt_BR' })), context());
    expect(relanguaged.PhysicalResourceId).toBe(NEW_TEMPLATE_ID);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppMessageTemplateCommand', 'CreateWhatsAppMessageTemplateCommand']);
    expect(logs.join('\n')).toMatch(/TemplateName changed, which Meta does not let change: replacing template 987654321/);
  });

  test('the rollback of a failed replacement finds the original template as declared and keeps it, with no call that changes', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    const rollback = updateEvent(properties(), properties({ TemplateName: 'feedback_request_v2' }));
    expect(await handler(rollback, context())).toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: { MetaTemplateId: TEMPLATE_ID, TemplateStatus: 'APPROVED' } });
    expect(mutatingCalls()).toEqual([]);
    expect(logs.join('\n')).toMatch(/already is 'feedback_request' \(en_US\): the rollback of a replacement keeps it/);
  });

  test('the rollback of a replacement that succeeded: the template of the previous name is this resource\'s again', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves({ template: JSON.stringify({ id: NEW_TEMPLATE_ID, name: 'feedback_request_v2', language: 'en_US', status: 'PENDING' }) });
    socialMessaging.on(GetWhatsAppMessageTemplateCommand, { metaTemplateId: TEMPLATE_ID }).resolves(metaTemplate('APPROVED'));
    socialMessaging.on(ListWhatsAppMessageTemplatesCommand).resolves({
      templates: [{ templateName: 'feedback_request', templateLanguage: 'en_US', metaTemplateId: TEMPLATE_ID, templateStatus: 'APPROVED' }],
    });
    const rollback = updateEvent(properties(), properties({ TemplateName: 'feedback_request_v2' }), NEW_TEMPLATE_ID);
    expect(await handler(rollback, context())).toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: { MetaTemplateId: TEMPLATE_ID, TemplateStatus: 'APPROVED' } });
    expect(mutatingCalls()).toEqual([]);
  });

  test('a replacement whose old template cannot be read in the new WABA creates the new one', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).rejects(error(ResourceNotFoundException));
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: NEW_TEMPLATE_ID, templateStatus: 'PENDING' });
    const moved = await handler(updateEvent(properties({ WhatsAppBusinessAccountId: 'waba-fedcba9876543210fedcba9876543210' })), context());
    expect(moved.PhysicalResourceId).toBe(NEW_TEMPLATE_ID);
    expect(socialMessaging.commandCalls(CreateWhatsAppMessageTemplateCommand)[0].args[0].input.id).toBe('waba-fedcba9876543210fedcba9876543210');
  });

  test('a template deleted outside the stack is made again, with a new id', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).rejects(error(ResourceNotFoundException));
    socialMessaging.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: NEW_TEMPLATE_ID, templateStatus: 'PENDING' });
    expect((await handler(updateEvent(edited), context())).PhysicalResourceId).toBe(NEW_TEMPLATE_ID);
    expect(logs.join('\n')).toMatch(/no longer exists .* \(deleted outside this stack\): creating it again/);
  });
});

describe('Update converges: what Meta holds decides the calls (rule 14)', () => {
  const edited = properties({ Body: 'Thanks for order {{1}}! BODY-CONTENT-MARKER edited' });
  const rollingBack = () => cloudFormation.on(DescribeStacksCommand)
    .resolves({ Stacks: [{ StackName: 'Example', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });

  test('a rollback that asks for what the template already holds sends nothing, even when Meta\'s echo is spelled its own way', async () => {
    const logs = captureLogs();
    rollingBack();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    const response = await handler(updateEvent(properties(), edited), context());
    expect(response.Data.TemplateStatus).toBe('APPROVED');
    expect(mutatingCalls()).toEqual([]);
    expect(logs.join('\n')).toMatch(/template 987654321 already holds what is declared: no edit/);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test('a forward Update whose content Meta already holds (a redelivered event) sends nothing', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('PENDING', {}, edited));
    expect((await handler(updateEvent(edited), context())).Data.TemplateStatus).toBe('PENDING');
    expect(mutatingCalls()).toEqual([]);
  });

  test('content edited outside the stack is edited back on the next deploy, though the properties did not change', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED', {}, edited)).resolves(metaTemplate('PENDING'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    await handler(updateEvent(properties(), properties()), context());
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppMessageTemplateCommand']);
  });

  test('a footer Meta holds and the properties no longer declare is a difference', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED')).resolves(metaTemplate('PENDING'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    const logs = captureLogs();
    await handler(updateEvent(properties({ Footer: undefined })), context());
    expect(logs.join('\n')).toMatch(/edited FOOTER \(not declared\) of template/);
  });

  test('Meta reported no components: the previous properties decide, as before', async () => {
    const bare = { template: JSON.stringify({ id: TEMPLATE_ID, name: 'feedback_request', language: 'en_US', category: 'MARKETING', status: 'APPROVED' }) };
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(bare);
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    await handler(updateEvent(properties()), context());
    expect(mutatingCalls()).toEqual([]);
    await handler(updateEvent(edited), context());
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppMessageTemplateCommand']);
  });

  test('a category Meta chose for an approved template is kept, and an edit of the components goes ahead', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED', { category: 'UTILITY' })).resolves(metaTemplate('PENDING'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    await handler(updateEvent(edited), context());
    const input = socialMessaging.commandCalls(UpdateWhatsAppMessageTemplateCommand)[0].args[0].input;
    expect(input.templateCategory).toBeUndefined();
    expect(logs.join('\n')).toMatch(/Meta holds the category UTILITY \(declared MARKETING\), which an approved template keeps/);
  });

  test('a lost answer to an applied edit: the retry reads first and finds it in place; one Update', async () => {
    const logs = captureLogs();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED')).resolves(metaTemplate('PENDING', {}, edited));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).rejectsOnce(error(InternalServiceException)).resolves({});
    const response = await handler(updateEvent(edited), context());
    expect(response.Data.TemplateStatus).toBe('PENDING');
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppMessageTemplateCommand']);
    expect(logs.join('\n')).toMatch(/got no answer \(InternalServiceException\), but the edit is in place: template 987654321 is PENDING/);
    expectCleanLogs(logs);
  });

  test('a lost answer whose read fails, then a retry refused as not editable: the edit in place is still a success', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('APPROVED')).rejectsOnce(error(AccessDeniedException))
      .resolves(metaTemplate('PENDING', {}, edited));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).rejectsOnce(error(InternalServiceException)).rejects(error(ValidationException, 'not editable'));
    expect((await handler(updateEvent(edited), context())).Data.TemplateStatus).toBe('PENDING');
  });

  test('a lost answer to an edit that did not apply: retried; a refusal then fails the forward Update', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).rejectsOnce(error(InternalServiceException)).rejects(error(ValidationException, 'edit limit'));
    expect(await failure(updateEvent(edited))).toMatch(/ValidationException: edit limit/);
  });

  test('a forward edit Meta refuses fails with its reason; the same refusal in a rollback leaves the template and succeeds', async () => {
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('REJECTED', {}, edited));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).rejects(error(ValidationException, 'BODY-CONTENT-MARKER is not allowed'));
    expect(await failure(updateEvent(properties(), edited))).toMatch(/ValidationException/);

    const logs = captureLogs();
    rollingBack();
    const response = await handler(updateEvent(properties(), edited), context());
    expect(response.Data.TemplateStatus).toBe('REJECTED');
    expect(logs.join('\n')).toMatch(/the rollback leaves template 987654321 as it is \(REJECTED\): .* in BODY, and Meta refused the edit \(ValidationException\)/);
    expectCleanLogs(logs);
  });

  test('a rollback never edits an APPROVED template back into review; a REJECTED one it restores', async () => {
    rollingBack();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED', {}, edited));
    expect((await handler(updateEvent(properties(), edited), context())).Data.TemplateStatus).toBe('APPROVED');
    expect(mutatingCalls()).toEqual([]);

    socialMessaging.reset();
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolvesOnce(metaTemplate('REJECTED', {}, edited)).resolves(metaTemplate('REJECTED'));
    socialMessaging.on(UpdateWhatsAppMessageTemplateCommand).resolves({});
    // Meta rejects the restored content at once: the rollback still succeeds, and says so.
    expect((await handler(updateEvent(properties(), edited), context())).Data.TemplateStatus).toBe('REJECTED');
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppMessageTemplateCommand']);
  });
});

describe('Delete', () => {
  test('DeleteWhatsAppMessageTemplate by name and id: this language only, never deleteAllLanguages', async () => {
    socialMessaging.on(DeleteWhatsAppMessageTemplateCommand).resolves({});
    expect(await handler(deleteEvent(), context())).toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: {} });
    expect(socialMessaging.commandCalls(DeleteWhatsAppMessageTemplateCommand)[0].args[0].input).toEqual({
      id: WABA, templateName: 'feedback_request', metaTemplateId: TEMPLATE_ID,
    });
  });

  test('already gone, or never created: succeeds', async () => {
    socialMessaging.on(DeleteWhatsAppMessageTemplateCommand).rejects(error(ResourceNotFoundException));
    await expect(handler(deleteEvent(), context())).resolves.toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: {} });
    // A template never created: the Provider framework answers the Delete after a failed Create itself; any other
    // id Meta does not know is gone too.
    await expect(handler(deleteEvent(properties(), '999999999'), context())).resolves.toEqual({ PhysicalResourceId: '999999999', Data: {} });
  });

  test('a DISABLED template, which Meta does not delete, is left and the Delete succeeds; another refusal fails', async () => {
    socialMessaging.on(DeleteWhatsAppMessageTemplateCommand).rejects(error(ValidationException, 'cannot delete'));
    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('DISABLED'));
    await expect(handler(deleteEvent(), context())).resolves.toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: {} });

    socialMessaging.on(GetWhatsAppMessageTemplateCommand).resolves(metaTemplate('APPROVED'));
    expect(await failure(deleteEvent())).toMatch(/^ValidationException: cannot delete/);
  });

  test('a lost answer: the retry finds it gone, and the Delete succeeds', async () => {
    socialMessaging.on(DeleteWhatsAppMessageTemplateCommand).rejectsOnce(error(InternalServiceException)).rejects(error(ResourceNotFoundException));
    await expect(handler(deleteEvent(), context())).resolves.toEqual({ PhysicalResourceId: TEMPLATE_ID, Data: {} });
  });
});
