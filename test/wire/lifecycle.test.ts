import { RemovalPolicy } from 'aws-cdk-lib';
import { SocialMessagingDouble, startSocialMessagingDouble } from './double';
import {
  activeFlows, CREATE_FAILED_MARKER, DeclaredFlow, FAKE_CREDENTIALS, FlowStack, flowJson, HandlerFunction, Invocation,
  leftovers, MAX_RESPONSE_BYTES, META_REJECTS, mismatches, OTHER_WABA, rejectMarkedFlowJson, synthesizeFlows, WABA,
} from './driver';
import { FlowCategory } from '../../src';

const V1 = flowJson('first version of the screens');
const V2 = flowJson('second version of the screens');
const REJECTED = flowJson(`${META_REJECTS} in this version`);

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flows: Record<string, DeclaredFlow>;
/** Every stack of this file, for the checks that hold for every invocation. */
const stacks: FlowStack[] = [];

beforeAll(async () => {
  const draft = { flowName: 'welcome', categories: [FlowCategory.OTHER], json: V1 };
  flows = synthesizeFlows({
    draft,
    draftWithPreview: { ...draft, usesPreviewUrl: true },
    published: { ...draft, publish: true },
    renamed: { ...draft, flowName: 'welcome-renamed', categories: [FlowCategory.SIGN_UP, FlowCategory.SURVEY] },
    draftV2: { ...draft, json: V2 },
    publishedV2: { ...draft, json: V2, publish: true },
    retained: { ...draft, removalPolicy: RemovalPolicy.RETAIN },
    rejected: { ...draft, json: REJECTED },
    rejectedPublished: { ...draft, json: REJECTED, publish: true },
    otherWaba: { ...draft, waba: OTHER_WABA },
    publishedOtherWaba: { ...draft, waba: OTHER_WABA, publish: true },
  });
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

beforeEach(() => double.reset());

function newStack(budgetMs?: number): FlowStack {
  const stack = new FlowStack(double, handler, { budgetMs });
  stacks.push(stack);
  return stack;
}

/** A stack whose Flow is deployed from `flow`, with the call log cleared. */
async function deployed(flow: DeclaredFlow): Promise<FlowStack> {
  const stack = newStack();
  expect((await stack.deploy(flow)).ok).toBe(true);
  double.calls.clear();
  return stack;
}

/** Flow ids: what a failed expectation prints, rather than whole records. */
const ids = (records: Array<{ flowId: string }>) => records.map(f => f.flowId);
const mutatingCalls = () => double.calls.mutating().map(c => c.operation);

describe('create', () => {
  test('a draft: one CreateWhatsAppFlow, the Flow matches the props, attributes come back', async () => {
    const stack = newStack();
    const result = await stack.deploy(flows.draft);

    expect(result.ok).toBe(true);
    const { physicalId } = stack.current!;
    expect(mismatches(double, physicalId, flows.draft)).toEqual([]);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow']);
    // The Create's answer tells the status: no read, and no preview URL unless the stack uses it.
    expect(double.calls.reads().filter(c => c.operation !== 'GetObject')).toEqual([]);
    expect(result.invocations[0].response.Data).toEqual({ FlowId: physicalId, FlowStatus: 'DRAFT', PreviewUrl: '' });
  });

  test('a stack that uses previewUrl: one GetWhatsAppFlow after the Create fills it', async () => {
    const stack = newStack();
    const result = await stack.deploy(flows.draftWithPreview);

    expect(result.ok).toBe(true);
    const { physicalId } = stack.current!;
    expect(double.calls.count('GetWhatsAppFlow')).toBe(1);
    expect(result.invocations[0].response.Data).toEqual({
      FlowId: physicalId, FlowStatus: 'DRAFT', PreviewUrl: expect.stringContaining(physicalId),
    });
  });

  test('published: the Create carries publish, nothing else mutates', async () => {
    const stack = newStack();
    const result = await stack.deploy(flows.published);

    expect(result.ok).toBe(true);
    expect(mismatches(double, stack.current!.physicalId, flows.published)).toEqual([]);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow']);
    expect(result.invocations[0].response.Data!.FlowStatus).toBe('PUBLISHED');
  });

  test('Meta rejects the Flow JSON: the Create fails with the error and leaves nothing behind', async () => {
    rejectMarkedFlowJson(double);
    const result = await newStack().deploy(flows.rejected);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].response.Reason).toContain('INVALID_PROPERTY_VALUE');
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow', 'DeleteWhatsAppFlow']);
    expect(ids(double.state.live())).toEqual([]);
  });

  test('throttled twice, then fine: retried, one Flow', async () => {
    double.faults.script('CreateWhatsAppFlow', ['ThrottledRequestException', 'ThrottledRequestException']);
    const stack = newStack();

    expect((await stack.deploy(flows.draft)).ok).toBe(true);
    expect(double.calls.count('CreateWhatsAppFlow')).toBe(3);
    expect(double.state.live().map(f => f.flowId)).toEqual([stack.current!.physicalId]);
  });

  test('dependency errors that never end: fails within the time budget, nothing made', async () => {
    double.faults.always('CreateWhatsAppFlow', 'DependencyException');
    const result = await newStack(3_000).deploy(flows.draft);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].ms).toBeLessThan(3_000);
    expect(result.invocations[0].response.Reason).toContain('DependencyException');
    expect(double.calls.count('CreateWhatsAppFlow')).toBeGreaterThan(2);
    expect(ids(double.state.live())).toEqual([]);
  });

  test('the first attempt was applied but its answer lost: the Create fails naming the Flow, which it cannot prove is its own', async () => {
    double.faults.script('CreateWhatsAppFlow', [{ error: 'DependencyException', afterApply: true }]);
    const result = await newStack(3_000).deploy(flows.published);

    expect(result.ok).toBe(false);
    const [made] = double.state.all();
    expect(result.invocations[0].error).toMatch(new RegExp(`id ${made.flowId}, status PUBLISHED.*may have made that Flow`));
    expect(double.calls.count('CreateWhatsAppFlow')).toBe(1);
    expect(ids(activeFlows(double))).toEqual([made.flowId]);
  });

  test('an attempt whose answer was lost after the name was seen free, then errors that never end: the Flow it made is removed', async () => {
    double.faults.script('CreateWhatsAppFlow', ['DependencyException', { error: 'DependencyException', afterApply: true }]);
    double.faults.always('GetWhatsAppFlow', 'AccessDeniedException');
    const result = await newStack(3_000).deploy(flows.published);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].ms).toBeLessThan(3_000);
    expect(double.state.all()).toHaveLength(1);
    expect(ids(activeFlows(double))).toEqual([]);
  });

  test('the same Create delivered twice, one after the other: one Flow; the second delivery fails naming it', async () => {
    const stack = newStack();
    const event = stack.delivery.createEvent('Flow', flows.published);
    stack.publishAsset(flows.published);
    const first = await stack.delivery.invoke(event);
    const second = await stack.delivery.invoke(event);

    expect([first.ok, second.ok]).toEqual([true, false]);
    expect(second.error).toContain(`id ${first.response.PhysicalResourceId}, status PUBLISHED`);
    expect(double.state.all()).toHaveLength(1);
    expect(mismatches(double, first.response.PhysicalResourceId, flows.published)).toEqual([]);
  });

  test('the same Create delivered twice at once (two sandboxes): one Flow, the other delivery fails naming it', async () => {
    const stack = newStack();
    const event = stack.delivery.createEvent('Flow', flows.draft);
    stack.publishAsset(flows.draft);
    const answers = await Promise.all([stack.delivery.invoke(event), stack.delivery.invoke(event)]);

    expect(answers.map(a => a.ok).sort()).toEqual([false, true]);
    const made = answers.find(a => a.ok)!.response.PhysicalResourceId;
    expect(answers.find(a => !a.ok)!.error).toContain(`id ${made}`);
    expect(ids(double.state.live())).toEqual([made]);
  });

  test('100 long validation errors: the reason is cut, the whole response stays under 4096 bytes', async () => {
    rejectMarkedFlowJson(double, Array.from({ length: 100 }, (_, i) => `INVALID_PROPERTY_VALUE ${i}: ${'a very long explanation '.repeat(40)}`));
    const result = await newStack().deploy(flows.rejected);

    const failed = result.invocations[0];
    expect(failed.ok).toBe(false);
    expect(failed.error!.length).toBeLessThanOrEqual(1000);
    expect(failed.error).toContain('100 validation error(s)');
    expect(failed.responseBytes).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(ids(double.state.live())).toEqual([]);
  });
});

describe('update', () => {
  test('name and categories only: one UpdateWhatsAppFlow, same physical id', async () => {
    const stack = await deployed(flows.draft);
    const id = stack.current!.physicalId;

    expect((await stack.deploy(flows.renamed)).ok).toBe(true);
    expect(stack.current!.physicalId).toBe(id);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlow']);
    expect(mismatches(double, id, flows.renamed)).toEqual([]);
  });

  test('new Flow JSON on a draft: one UpdateWhatsAppFlowAssets, stays a draft', async () => {
    const stack = await deployed(flows.draft);

    expect((await stack.deploy(flows.draftV2)).ok).toBe(true);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssets']);
    expect(mismatches(double, stack.current!.physicalId, flows.draftV2)).toEqual([]);
  });

  test('new Flow JSON on a published Flow: ends published with the new JSON', async () => {
    const stack = await deployed(flows.published);

    const result = await stack.deploy(flows.publishedV2);
    expect(result.ok).toBe(true);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow']);
    expect(mismatches(double, stack.current!.physicalId, flows.publishedV2)).toEqual([]);
    expect(result.invocations[0].response.Data!.FlowStatus).toBe('PUBLISHED');
  });

  test('no-op: the same properties, or only the removal policy changed, make no mutating call', async () => {
    const stack = await deployed(flows.draft);
    const d = stack.delivery;
    const same = await d.invoke(d.updateEvent('Flow', stack.current!.physicalId, flows.draft, flows.draft));
    const retained = await stack.deploy(flows.retained);

    expect([same.ok, retained.ok]).toEqual([true, true]);
    expect(mutatingCalls()).toEqual([]);
    expect(mismatches(double, stack.current!.physicalId, flows.draft)).toEqual([]);
  });

  test('Meta rejects the JSON of a published Flow: the update fails, the rollback publishes the old JSON again', async () => {
    rejectMarkedFlowJson(double);
    const stack = await deployed(flows.published);
    const id = stack.current!.physicalId;

    const result = await stack.deploy(flows.rejectedPublished);
    expect(result.ok).toBe(false);
    expect(result.invocations[0].response.Reason).toContain('INVALID_PROPERTY_VALUE');
    expect(result.rolledBack).toBe(true);
    expect(result.rollbackOk).toBe(true);
    expect(result.invocations[1].response.PhysicalResourceId).toBe(id);
    expect(mismatches(double, id, flows.published)).toEqual([]);
    expect(double.state.live()).toHaveLength(1);
  });

  test('WABA changed: replacement; the old Flow is deleted with the old properties', async () => {
    const stack = await deployed(flows.draft);
    const oldId = stack.current!.physicalId;

    const result = await stack.deploy(flows.otherWaba);
    expect(result.ok).toBe(true);
    const newId = stack.current!.physicalId;
    expect(newId).not.toBe(oldId);
    expect(result.invocations.map(i => i.event.RequestType)).toEqual(['Update', 'Delete']);
    expect(result.invocations[1].event.ResourceProperties.WhatsAppBusinessAccountId).toBe(WABA);
    expect(mismatches(double, newId, flows.otherWaba)).toEqual([]);
    expect(double.state.find(oldId)!.deleted).toBe(true);
    expect(leftovers(double, [newId])).toEqual([]);
  });

  test('WABA changed on a published Flow: the old one is deprecated', async () => {
    const stack = await deployed(flows.published);
    const oldId = stack.current!.physicalId;

    expect((await stack.deploy(flows.publishedOtherWaba)).ok).toBe(true);
    expect(double.state.find(oldId)!.status).toBe('DEPRECATED');
    expect(mismatches(double, stack.current!.physicalId, flows.publishedOtherWaba)).toEqual([]);
  });
});

describe('delete', () => {
  test('a draft is deleted', async () => {
    const stack = await deployed(flows.draft);
    const id = stack.current!.physicalId;

    expect((await stack.destroy())!.ok).toBe(true);
    expect(mutatingCalls()).toEqual(['DeleteWhatsAppFlow']);
    expect(double.state.find(id)!.deleted).toBe(true);
  });

  test('a published Flow is deprecated', async () => {
    const stack = await deployed(flows.published);
    const id = stack.current!.physicalId;

    expect((await stack.destroy())!.ok).toBe(true);
    expect(mutatingCalls()).toEqual(['DeprecateWhatsAppFlow']);
    expect(double.state.find(id)!.status).toBe('DEPRECATED');
  });

  test('already gone, delivered twice, or never created: succeeds', async () => {
    const stack = await deployed(flows.draft);
    const { physicalId } = stack.current!;
    double.state.delete(WABA, physicalId);
    const d = stack.delivery;
    const event = d.deleteEvent('Flow', physicalId, flows.draft);

    expect((await d.invoke(event)).ok).toBe(true);
    expect((await d.invoke(event)).ok).toBe(true);
    // The framework swallows this one; a handler that got it anyway must not fail either (rule 6).
    expect((await handler.invoke(d.deleteEvent('Flow', CREATE_FAILED_MARKER, flows.draft), 10_000)).error).toBeUndefined();
    // Nothing was applied: each try was refused as not found.
    expect(double.calls.mutating().filter(c => c.status === 200)).toEqual([]);
    expect(double.calls.mutating().every(c => c.error === 'ResourceNotFoundException')).toBe(true);
  });

  test.each(['BLOCKED', 'THROTTLED'] as const)('%s: succeeds and leaves the Flow as Meta holds it', async (status) => {
    const stack = await deployed(flows.published);
    const id = stack.current!.physicalId;
    double.state.setStatus(id, status);

    expect((await stack.destroy())!.ok).toBe(true);
    // The deprecation publish: true suggests is refused and changes nothing; the status read then leaves it.
    expect(double.calls.mutating().filter(c => c.status === 200)).toEqual([]);
    expect(double.state.find(id)!.status).toBe(status);
  });

  test('removal policy RETAIN: a DeletionPolicy of Retain, so CloudFormation sends no Delete and the Flow stays as it is', async () => {
    const stack = await deployed(flows.retained);
    const id = stack.current!.physicalId;

    expect(flows.retained.deletionPolicy).toBe('Retain');
    expect(flows.retained.updateReplacePolicy).toBe('Retain');
    expect(await stack.destroy()).toBeUndefined();
    expect(stack.current).toBeUndefined();
    expect(double.calls.all()).toEqual([]);
    expect(mismatches(double, id, flows.retained)).toEqual([]);
  });
});

/** A 5xx after the service applied the request: the handler cannot tell it from one that changed nothing. */
const LOST = { error: 'InternalServiceException', afterApply: true } as const;

describe('a response lost after the service acted, then a retry', () => {
  test('CreateWhatsAppFlow, after an attempt that changed nothing: the name was free, so the retry takes the Flow the lost attempt made', async () => {
    double.faults.script('CreateWhatsAppFlow', ['InternalServiceException', LOST]);
    const stack = newStack();

    expect((await stack.deploy(flows.published)).ok).toBe(true);
    expect(double.state.all()).toHaveLength(1);
    expect(mismatches(double, stack.current!.physicalId, flows.published)).toEqual([]);
  });

  test('UpdateWhatsAppFlow, UpdateWhatsAppFlowAssets: retried to the same end', async () => {
    const stack = await deployed(flows.draft);
    double.faults.script('UpdateWhatsAppFlow', [LOST]).script('UpdateWhatsAppFlowAssets', [LOST]);

    expect((await stack.deploy(flows.renamed)).ok).toBe(true);
    expect((await stack.deploy(flows.draftV2)).ok).toBe(true);
    expect(mismatches(double, stack.current!.physicalId, flows.draftV2)).toEqual([]);
  });

  test('DeleteWhatsAppFlow: the retry finds it gone, which is success', async () => {
    const stack = await deployed(flows.draft);
    double.faults.script('DeleteWhatsAppFlow', [LOST]);

    expect((await stack.destroy())!.ok).toBe(true);
    expect(ids(double.state.live())).toEqual([]);
  });

  // The retried Publish is refused ("only a DRAFT flow can be published"): the Flow is already published.
  test('PublishWhatsAppFlow: the update succeeds, published with the new JSON', async () => {
    const stack = await deployed(flows.published);
    double.faults.script('PublishWhatsAppFlow', [LOST]);
    const result = await stack.deploy(flows.publishedV2);

    expect(result.invocations[0].error).toBeUndefined();
    expect(mismatches(double, stack.current!.physicalId, flows.publishedV2)).toEqual([]);
  });

  // The retried Deprecate is refused ("only a PUBLISHED flow can be deprecated"): the Flow is already deprecated.
  test('DeprecateWhatsAppFlow: the delete succeeds', async () => {
    const stack = await deployed(flows.published);
    double.faults.script('DeprecateWhatsAppFlow', [LOST]);
    const deleted = await stack.destroy();

    expect(deleted!.error).toBeUndefined();
    expect(ids(activeFlows(double))).toEqual([]);
  });

  // The retried Create takes the Flow its lost attempt made (the name was free before it); when Meta then rejects
  // the JSON, that Flow goes too, since CloudFormation sends no Delete for a failed Create.
  test('CreateWhatsAppFlow, then Meta rejects the JSON: the Create fails and leaves nothing behind', async () => {
    rejectMarkedFlowJson(double);
    double.faults.script('CreateWhatsAppFlow', ['InternalServiceException', LOST]);
    const result = await newStack().deploy(flows.rejected);

    expect(result.ok).toBe(false);
    expect(ids(double.state.live())).toEqual([]);
  });
});

describe('every invocation of this file', () => {
  const invocations = (): Invocation[] => stacks.flatMap(s => s.delivery.invocations);

  test('responses stay under 4096 bytes, failure reasons under 1000 characters', () => {
    expect(invocations().length).toBeGreaterThan(40);
    for (const inv of invocations()) {
      expect(inv.responseBytes).toBeLessThan(MAX_RESPONSE_BYTES);
      expect((inv.error ?? '').length).toBeLessThanOrEqual(1000);
    }
  });

  test('logs never contain the Flow JSON, the ResponseURL or the credentials', () => {
    const logs = invocations().flatMap(i => i.logs).join('\n');
    expect(logs).toContain('Create: Flow');
    const secrets = [
      ...[V1, V2, REJECTED].flatMap(json => [json, Buffer.from(json).toString('base64').slice(0, 40)]),
      'first version of the screens', 'second version of the screens', `${META_REJECTS} in this version`, '"screens"',
      'X-Amz-Signature', 'cloudformation-custom-resource-response', FAKE_CREDENTIALS.secretAccessKey,
    ];
    for (const secret of secrets) expect(logs).not.toContain(secret);
    for (const inv of invocations()) {
      expect(logs).not.toContain(inv.event.ResponseURL);
      expect(inv.response.Reason).not.toContain('"screens"');
    }
  });
});
