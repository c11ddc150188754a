import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { BASE_TEMPLATE, FEEDBACK_FLOW, opening, synthesizeTemplates } from './wire-driver';
import { TemplateCategory } from '../../src';
import { SocialMessagingDouble, startSocialMessagingDouble } from '../wire/double';
import { DeclaredFlow, FAKE_CREDENTIALS, FlowStack, HandlerFunction, MAX_RESPONSE_BYTES, synthesizeFlows, WABA } from '../wire/driver';

/**
 * The message template's whole lifecycle through the shipped handler (assets/provider/on-event.lambda) against the
 * wire double, next to the survey Flow it opens: CloudFormation's events as the Provider framework delivers them.
 */

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flow: DeclaredFlow;
let templates: Record<string, DeclaredFlow>;
let flowId: string;

beforeAll(async () => {
  flow = synthesizeFlows({ feedback: FEEDBACK_FLOW }).feedback;
  templates = synthesizeTemplates({
    base: {},
    edited: { body: 'Thanks for order {{1}}! How did we do? BODY-CONTENT-MARKER' },
    utility: { category: TemplateCategory.UTILITY },
    renamed: { templateName: 'feedback_request_v2' },
    portuguese: { language: 'pt_BR', body: 'Obrigado pelo pedido {{1}}! BODY-CONTENT-MARKER' },
    retained: { removalPolicy: RemovalPolicy.RETAIN },
    onRate: { screen: 'RATE' },
  });
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

beforeEach(async () => {
  double.reset();
  // The Flow is deployed first: the template's FlowId is a Ref to it.
  const flows = new FlowStack(double, handler, { logicalId: 'Flow' });
  expect((await flows.deploy(flow)).ok).toBe(true);
  flowId = flows.current!.physicalId;
  double.calls.clear();
});

const declared = (name: string) => opening(templates[name], flowId);
const newStack = (logicalId = 'Template') => new FlowStack(double, handler, { logicalId });
const mutating = () => double.calls.mutating().map((c) => c.operation);
const live = () => double.templates.live();

describe('create', () => {
  test('one template with the FLOW button carrying the Flow\'s id; its id and status are the attributes', async () => {
    const stack = newStack();
    const result = await stack.deploy(declared('base'));

    expect(result.ok).toBe(true);
    const [invocation] = result.invocations;
    const id = invocation.response.PhysicalResourceId;
    expect(invocation.response.Data).toEqual({ MetaTemplateId: id, TemplateStatus: 'PENDING' });
    expect(invocation.responseBytes).toBeLessThan(MAX_RESPONSE_BYTES);
    const record = double.templates.find(id)!;
    expect(record).toMatchObject({ wabaId: WABA, name: 'feedback_request', language: 'en_US', category: 'MARKETING', status: 'PENDING' });
    expect(record.components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: BASE_TEMPLATE.header },
      { type: 'BODY', text: BASE_TEMPLATE.body, example: { body_text: [BASE_TEMPLATE.bodyExamples] } },
      { type: 'FOOTER', text: BASE_TEMPLATE.footer },
      { type: 'BUTTONS', buttons: [{ type: 'FLOW', text: 'Give feedback', flow_id: flowId, flow_action: 'navigate', navigate_screen: 'RECOMMEND' }] },
    ]);
    expect(mutating()).toEqual(['CreateWhatsAppMessageTemplate']);
  });

  test('logs hold no message content, no ResponseURL and no credentials', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    await stack.deploy(declared('edited'));
    await stack.destroy();
    const logs = stack.delivery.logs.join('\n');
    expect(logs).toMatch(/template/);
    for (const secret of ['BODY-CONTENT-MARKER', '#1234', BASE_TEMPLATE.header, BASE_TEMPLATE.footer, 'Give feedback',
      'X-Amz-Signature', FAKE_CREDENTIALS.secretAccessKey, FAKE_CREDENTIALS.accessKeyId]) {
      expect(logs).not.toContain(secret);
    }
  });

  test('a template Meta rejects at once fails the deploy with Meta\'s reason and leaves nothing behind', async () => {
    double.templates.reviewer = () => ({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });
    const result = await newStack().deploy(declared('base'));
    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/Meta rejected template 'feedback_request' \(en_US\) at once: INVALID_FORMAT/);
    expect(result.rollbackOk).toBe(true);
    expect(live()).toEqual([]);
  });

  test('the deploy does not wait for Meta\'s review: PENDING, then APPROVED once Meta says so', async () => {
    const stack = newStack();
    expect((await stack.deploy(declared('base'))).invocations[0].response.Data!.TemplateStatus).toBe('PENDING');
    double.templates.setStatus(stack.current!.physicalId, 'APPROVED');
    const noChange = await stack.deploy(declared('base'));
    expect(noChange.invocations[0].response.Data!.TemplateStatus).toBe('APPROVED');
    expect(mutating()).toEqual(['CreateWhatsAppMessageTemplate']);
  });
});

describe('ownership', () => {
  test('a name and language another stack made: the Create fails naming it and the way out; it is never touched', async () => {
    const theirs = newStack('OtherStacksTemplate');
    expect((await theirs.deploy(declared('base'))).ok).toBe(true);
    const theirId = theirs.current!.physicalId;
    double.calls.clear();

    const ours = newStack();
    const result = await ours.deploy(declared('base'));

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(new RegExp(`'feedback_request' in en_US already exists in ${WABA}: id ${theirId}, status PENDING`));
    expect(result.invocations[0].error).toMatch(/Choose another templateName/);
    expect(mutating()).toEqual([]);
    expect(await ours.destroy()).toBeUndefined();
    expect(live().map((t) => t.metaTemplateId)).toEqual([theirId]);
  });

  test('the same name in another language is another template', async () => {
    expect((await newStack('English').deploy(declared('base'))).ok).toBe(true);
    expect((await newStack('Portuguese').deploy(declared('portuguese'))).ok).toBe(true);
    expect(live().map((t) => t.language).sort()).toEqual(['en_US', 'pt_BR']);
  });

  test('a lost Create answer: the template found by name is provably this Create\'s; one template, owned', async () => {
    double.faults.script('CreateWhatsAppMessageTemplate', [{ error: 'InternalServiceException', afterApply: true }]);
    const stack = newStack();
    const result = await stack.deploy(declared('base'));
    expect(result.ok).toBe(true);
    expect(live()).toHaveLength(1);
    expect(stack.current!.physicalId).toBe(live()[0].metaTemplateId);
    expect(stack.delivery.logs.join('\n')).toMatch(/got no answer \(InternalServiceException\), but made template/);
    await stack.destroy();
    expect(live()).toEqual([]);
  });

  test('a hung Create that was applied: the request times out, and the template is found and owned', async () => {
    double.faults.script('CreateWhatsAppMessageTemplate', [{ error: 'InternalServiceException', afterApply: true, hang: true }]);
    const stack = newStack();
    expect((await stack.deploy(declared('base'))).ok).toBe(true);
    expect(live()).toHaveLength(1);
    expect(double.templates.all()).toHaveLength(1);
  });

  test('a Create that never reached Meta is retried; throttled lookups are retried', async () => {
    double.faults.script('CreateWhatsAppMessageTemplate', ['InternalServiceException', 'ThrottledRequestException']);
    double.faults.script('ListWhatsAppMessageTemplates', ['ThrottledRequestException']);
    const result = await newStack().deploy(declared('base'));
    expect(result.ok).toBe(true);
    expect(double.templates.all()).toHaveLength(1);
    expect(double.calls.count('CreateWhatsAppMessageTemplate')).toBe(3);
  });
});

describe('update', () => {
  test('new text on an APPROVED template: edited in place, then PENDING while Meta reviews it again', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    double.templates.setStatus(id, 'APPROVED');
    double.calls.clear();

    const result = await stack.deploy(declared('edited'));

    expect(result.ok).toBe(true);
    expect(stack.current!.physicalId).toBe(id);
    expect(result.invocations[0].response.Data!.TemplateStatus).toBe('PENDING');
    expect((double.templates.find(id)!.components[1] as { text: string }).text).toBe('Thanks for order {{1}}! How did we do? BODY-CONTENT-MARKER');
    expect(mutating()).toEqual(['UpdateWhatsAppMessageTemplate']);
  });

  test('a new first screen edits the button', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    double.templates.setStatus(stack.current!.physicalId, 'APPROVED');
    expect((await stack.deploy(declared('onRate'))).ok).toBe(true);
    const buttons = double.templates.find(stack.current!.physicalId)!.components[3] as { buttons: Array<{ navigate_screen: string }> };
    expect(buttons.buttons[0].navigate_screen).toBe('RATE');
  });

  test('an edit of a template still in review fails saying why; the rollback succeeds and nothing changed', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    const before = JSON.stringify(double.templates.find(id)!.components);
    double.calls.clear();

    const result = await stack.deploy(declared('edited'));

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/is PENDING, and Meta only lets APPROVED, REJECTED or PAUSED templates be edited/);
    expect(result.rolledBack).toBe(true);
    expect(result.rollbackOk).toBe(true);
    expect(JSON.stringify(double.templates.find(id)!.components)).toBe(before);
    expect(mutating()).toEqual([]);
  });

  test('the rollback of an edit of a REJECTED template (another resource failed) succeeds: Meta now reviews the edit', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    double.templates.setStatus(id, 'REJECTED');
    const result = await stack.deployThenRollBack(declared('edited'));
    // Meta reviews the edit: PENDING, which the rollback cannot edit back; it succeeds and says so.
    expect(result.rollbackOk).toBe(true);
    expect(stack.delivery.logs.join('\n')).toMatch(/the rollback leaves template \d+ as it is \(PENDING\): it differs from what the rollback restores in BODY, and Meta does not let it be edited now\. It keeps its newer content/);
  });

  test('the category of an APPROVED template cannot change: fails before any change, and the rollback succeeds', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    double.templates.setStatus(stack.current!.physicalId, 'APPROVED');
    double.calls.clear();
    const result = await stack.deploy(declared('utility'));
    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/Meta does not let the category of an approved template change/);
    expect(result.rollbackOk).toBe(true);
    expect(mutating()).toEqual([]);
  });

  test('a new name is a replacement: a new template first, then CloudFormation\'s cleanup deletes the old one', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const old = stack.current!.physicalId;
    double.calls.clear();

    const result = await stack.deploy(declared('renamed'));

    expect(result.ok).toBe(true);
    expect(result.invocations.map((i) => i.event.RequestType)).toEqual(['Update', 'Delete']);
    expect(stack.current!.physicalId).not.toBe(old);
    expect(live().map((t) => t.name)).toEqual(['feedback_request_v2']);
    expect(mutating()).toEqual(['CreateWhatsAppMessageTemplate', 'DeleteWhatsAppMessageTemplate']);
  });

  test('a replacement whose new name another stack holds fails; the rollback keeps the original template as it was', async () => {
    const theirs = newStack('OtherStacksTemplate');
    await theirs.deploy(declared('renamed'));
    const stack = newStack();
    await stack.deploy(declared('base'));
    const original = stack.current!.physicalId;
    double.calls.clear();

    const result = await stack.deploy(declared('renamed'));

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/'feedback_request_v2' in en_US already exists/);
    expect(result.rollbackOk).toBe(true);
    expect(stack.current!.physicalId).toBe(original);
    expect(live().map((t) => t.name).sort()).toEqual(['feedback_request', 'feedback_request_v2']);
    expect(mutating()).toEqual([]);
  });

  test('a replacement rolled back (another resource failed): the original template is the resource\'s again, the new one goes', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const original = stack.current!.physicalId;
    const d = stack.delivery;
    // The forward Update makes the new template; CloudFormation would clean up the original only after every resource.
    const forward = await d.invoke(d.updateEvent('Template', original, declared('renamed'), declared('base')));
    const replacement = forward.response.PhysicalResourceId;
    expect(replacement).not.toBe(original);

    // Another resource fails. UPDATE_ROLLBACK_IN_PROGRESS: the previous properties on the replacement's id; then the
    // rollback's cleanup deletes the replacement.
    const rollback = await d.invoke(d.updateEvent('Template', replacement, declared('base'), declared('renamed')), undefined, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const cleanup = await d.invoke(d.deleteEvent('Template', replacement, declared('renamed')), undefined, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');

    expect(rollback.ok).toBe(true);
    expect(rollback.response.PhysicalResourceId).toBe(original);
    expect(cleanup.ok).toBe(true);
    expect(live().map((t) => t.metaTemplateId)).toEqual([original]);
    expect(rollback.logs.join('\n')).toMatch(/rolling back a replacement: template \d+ 'feedback_request' \(en_US\) is this resource's again/);
  });

  test('a new language is a replacement too', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    expect((await stack.deploy(declared('portuguese'))).ok).toBe(true);
    expect(live().map((t) => t.language)).toEqual(['pt_BR']);
  });

  test('a template deleted outside the stack is made again; the cleanup Delete of the old id finds nothing and succeeds', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const old = stack.current!.physicalId;
    double.templates.delete(WABA, 'feedback_request', old);

    const result = await stack.deploy(declared('edited'));

    expect(result.ok).toBe(true);
    expect(result.invocations.map((i) => i.ok)).toEqual([true, true]);
    expect(stack.current!.physicalId).not.toBe(old);
    expect(live()).toHaveLength(1);
  });
});

describe('converge, don\'t diff (issue 19)', () => {
  const components = (id: string) => JSON.stringify(double.templates.find(id)!.components);

  test('an APPROVED template edited twice in one day: Meta refuses the second edit, and the rollback, which needs no change, sends nothing', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    double.templates.setStatus(id, 'APPROVED');
    expect((await stack.deploy(declared('edited'))).ok).toBe(true);
    double.templates.setStatus(id, 'APPROVED');
    const held = components(id);
    double.calls.clear();

    const result = await stack.deploy(declared('onRate'));

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/reached its edit limit/);
    expect(result.rollbackOk).toBe(true);
    expect(mutating()).toEqual(['UpdateWhatsAppMessageTemplate']);
    expect(components(id)).toBe(held);
    expect(double.templates.find(id)!.status).toBe('APPROVED');
  });

  test('Meta refuses an edit of an APPROVED template: the rollback does not send its own components back, so it stays APPROVED and keeps the day\'s edit', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    double.templates.setStatus(id, 'APPROVED');
    const held = components(id);
    double.calls.clear();
    // A screen the Flow does not have: the synth would catch it, so the properties are written here; Meta refuses it.
    const base = declared('base');
    const gone = { ...base, properties: { ...base.properties, NavigateScreen: 'GONE' } };

    const result = await stack.deploy(gone);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/navigate_screen 'GONE' is not a screen/);
    expect(result.rollbackOk).toBe(true);
    expect(mutating()).toEqual(['UpdateWhatsAppMessageTemplate']);
    expect(double.templates.find(id)).toMatchObject({ status: 'APPROVED', edits: 0 });
    expect(components(id)).toBe(held);
    // The day's edit is still there for the next deploy.
    expect((await stack.deploy(declared('edited'))).ok).toBe(true);
  });

  test('a lost answer to an Update that Meta applied: the retry reads first, finds the edit in place (now PENDING) and succeeds', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    double.templates.setStatus(id, 'APPROVED');
    double.faults.script('UpdateWhatsAppMessageTemplate', [{ error: 'InternalServiceException', afterApply: true }]);
    double.calls.clear();

    const result = await stack.deploy(declared('edited'));

    expect(result.ok).toBe(true);
    expect(result.invocations[0].response.Data!.TemplateStatus).toBe('PENDING');
    expect(double.templates.find(id)!.edits).toBe(1);
    expect((double.templates.find(id)!.components[1] as { text: string }).text).toBe('Thanks for order {{1}}! How did we do? BODY-CONTENT-MARKER');
    expect(mutating()).toEqual(['UpdateWhatsAppMessageTemplate']);
    expect(stack.delivery.logs.join('\n')).toMatch(/UpdateWhatsAppMessageTemplate got no answer \(InternalServiceException\), but the edit is in place/);
  });

  test('the rollback of an edit Meta approved meanwhile (another resource failed) does not take the live template back into review', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    const id = stack.current!.physicalId;
    double.templates.setStatus(id, 'APPROVED');
    // Meta approves the edit at once; then another resource of the stack fails.
    double.templates.reviewer = () => ({ status: 'APPROVED' });
    double.templates.advanceHours(24);

    const result = await stack.deployThenRollBack(declared('edited'));

    expect(result.rollbackOk).toBe(true);
    expect(double.templates.find(id)).toMatchObject({ status: 'APPROVED', edits: 1 });
    expect(result.invocations[1].response.Data!.TemplateStatus).toBe('APPROVED');
    const logs = result.invocations[1].logs.join('\n');
    expect(logs).toMatch(/the rollback leaves template \d+ as it is \(APPROVED\): it differs from what the rollback restores in BODY, and an edit would take the live template back into review/);
    expect(logs).not.toContain('BODY-CONTENT-MARKER');
    // The next deploy converges: the declared (original) text again, now that a day has passed.
    double.templates.advanceHours(24);
    double.templates.reviewer = () => ({ status: 'PENDING' });
    const next = await stack.deploy(declared('base'));
    expect(next.ok).toBe(true);
    expect((double.templates.find(id)!.components[1] as { text: string }).text).toBe(BASE_TEMPLATE.body);
  });
});

describe('delete', () => {
  test('cdk destroy deletes the template (this language only); a second Delete finds it gone and succeeds', async () => {
    const stack = newStack('English');
    await stack.deploy(declared('base'));
    await newStack('Portuguese').deploy(declared('portuguese'));
    const id = stack.current!.physicalId;

    const deleted = await stack.destroy();

    expect(deleted!.ok).toBe(true);
    expect(live().map((t) => t.language)).toEqual(['pt_BR']);
    const again = await stack.delivery.invoke(stack.delivery.deleteEvent('English', id, declared('base')));
    expect(again.ok).toBe(true);
  });

  test('RETAIN: the DeletionPolicy keeps the template; no Delete reaches the handler', async () => {
    const stack = newStack();
    await stack.deploy(declared('retained'));
    double.calls.clear();
    expect(await stack.destroy()).toBeUndefined();
    expect(live()).toHaveLength(1);
    expect(mutating()).toEqual([]);
  });

  test('a lost Delete answer: the retry finds it gone and the Delete succeeds', async () => {
    const stack = newStack();
    await stack.deploy(declared('base'));
    double.faults.script('DeleteWhatsAppMessageTemplate', [{ error: 'InternalServiceException', afterApply: true }]);
    expect((await stack.destroy())!.ok).toBe(true);
    expect(live()).toEqual([]);
  });
});

describe('synth', () => {
  test('a renamed screen fails the synth, naming the template and the screen', () => {
    const renamed = FEEDBACK_FLOW.json!.replace(/"RECOMMEND"/g, '"RECOMMEND_US"');
    expect(renamed).not.toBe(FEEDBACK_FLOW.json);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'renamed-')), 'customer-feedback.json');
    fs.writeFileSync(file, renamed);
    expect(() => synthesizeTemplates({ stale: {} }, file)).toThrow(
      /WhatsAppMessageTemplate WireStack\/Template: the button's screen 'RECOMMEND' is not a screen of WireStack\/Flow .*Did you mean "RECOMMEND_US"\? Its screens: RECOMMEND_US, RATE/);
  });
});
