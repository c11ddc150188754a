import { SocialMessagingDouble, startSocialMessagingDouble } from './double';
import {
  activeFlows, DeclaredFlow, FlowStack, flowJson, HandlerFunction, META_REJECTS, mismatches, OTHER_WABA, rejectMarkedFlowJson, synthesizeFlows, WABA,
} from './driver';
import { FlowCategory } from '../../src';

/**
 * The trust rules through the shipped handler on the wire: a deploy never touches a Flow it did not make, and
 * never takes a live Flow off the air. Each test replays a situation that went wrong before these rules.
 */

const V1 = flowJson('trusted first version');
const V2 = flowJson('trusted second version');
const REJECTED = flowJson(`${META_REJECTS} in the trusted version`);

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flows: Record<string, DeclaredFlow>;

beforeAll(async () => {
  const draft = { flowName: 'shared-name', categories: [FlowCategory.OTHER], json: V1 };
  flows = synthesizeFlows({
    draft,
    published: { ...draft, publish: true },
    publishedWithPreview: { ...draft, publish: true, usesPreviewUrl: true },
    draftV2: { ...draft, json: V2 },
    publishedV2: { ...draft, json: V2, publish: true },
    rejectedPublished: { ...draft, json: REJECTED, publish: true },
    otherStacksFlow: { ...draft, categories: [FlowCategory.SURVEY], json: V2, publish: true },
    adopting: { ...draft, adoptExistingFlow: true, categories: [FlowCategory.SIGN_UP] },
    publishedOtherWaba: { ...draft, publish: true, waba: OTHER_WABA },
  });
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

beforeEach(() => double.reset());

/** Another stack of the same WABA (dev and prod, say) that made a Flow of the shared name. */
async function flowOfAnotherStack(flow = flows.otherStacksFlow): Promise<string> {
  const other = new FlowStack(double, handler, { logicalId: 'OtherStacksFlow' });
  expect((await other.deploy(flow)).ok).toBe(true);
  double.calls.clear();
  return other.current!.physicalId;
}

const mutatingCalls = () => double.calls.mutating().map(c => c.operation);
const json = (flowId: string) => double.state.find(flowId)!.json!.toString('utf8');

describe('1. takeover: a Flow of the same name that another stack (or WhatsApp Manager) made', () => {
  test('the Create fails at once naming it, and changes nothing; destroying the stack leaves it alone', async () => {
    const theirs = await flowOfAnotherStack();
    const stack = new FlowStack(double, handler);

    const result = await stack.deploy(flows.draft);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(new RegExp(`'shared-name' already exists in ${WABA}: id ${theirs}, status PUBLISHED`));
    expect(result.invocations[0].error).toMatch(/choose another flowName.*adoptExistingFlow: true/);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow']);
    expect(mismatches(double, theirs, flows.otherStacksFlow)).toEqual([]);
    expect(await stack.destroy()).toBeUndefined();
    expect(mismatches(double, theirs, flows.otherStacksFlow)).toEqual([]);
  });

  test('a draft of that name keeps its JSON and categories', async () => {
    const theirs = await flowOfAnotherStack(flows.draftV2);
    expect((await new FlowStack(double, handler).deploy(flows.draft)).ok).toBe(false);
    expect(mismatches(double, theirs, flows.draftV2)).toEqual([]);
  });

  test('a construct whose logical id changed: the new resource fails, the rollback keeps the old one and its Flow', async () => {
    const stack = new FlowStack(double, handler, { logicalId: 'Flow' });
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    const id = stack.current!.physicalId;
    // CloudFormation creates the renamed resource first; the old one would only be deleted after that succeeded.
    const renamed = await stack.delivery.invoke(stack.delivery.createEvent('FlowRenamed', flows.published));

    expect(renamed.ok).toBe(false);
    expect(renamed.error).toContain(`id ${id}`);
    expect(mismatches(double, id, flows.published)).toEqual([]);
    expect(double.state.live()).toHaveLength(1);
  });

  test('adoptExistingFlow: the Flow is taken over, brought to the declared state, and is the stack\'s from then on', async () => {
    const theirs = await flowOfAnotherStack(flows.draftV2);
    const stack = new FlowStack(double, handler);

    const result = await stack.deploy(flows.adopting);

    expect(result.ok).toBe(true);
    expect(stack.current!.physicalId).toBe(theirs);
    expect(mismatches(double, theirs, flows.adopting)).toEqual([]);
    expect((await stack.destroy())!.ok).toBe(true);
    expect(double.state.find(theirs)!.deleted).toBe(true);
  });

  test('adoptExistingFlow on a live Flow with new JSON and publish false: refused before any change', async () => {
    const theirs = await flowOfAnotherStack();
    const result = await new FlowStack(double, handler).deploy(flows.adopting);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/is PUBLISHED: new Flow JSON would put it back to DRAFT/);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow']);
    expect(mismatches(double, theirs, flows.otherStacksFlow)).toEqual([]);
  });
});

describe('2. cleanup of what is not ours', () => {
  test('every Create attempt fails with a 5xx that never reached Meta: the same-named PUBLISHED Flow stays PUBLISHED', async () => {
    const theirs = await flowOfAnotherStack();
    double.faults.always('CreateWhatsAppFlow', 'InternalServiceException');

    const result = await new FlowStack(double, handler, { budgetMs: 3_000 }).deploy(flows.published);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toContain(`id ${theirs}`);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow']);
    expect(double.state.find(theirs)!.status).toBe('PUBLISHED');
  });

  test('retries that run out while the name is free remove nothing and leave nothing', async () => {
    double.faults.always('CreateWhatsAppFlow', 'DependencyException');
    const result = await new FlowStack(double, handler, { budgetMs: 3_000 }).deploy(flows.published);

    expect(result.ok).toBe(false);
    expect(double.calls.mutating().every(c => c.operation === 'CreateWhatsAppFlow')).toBe(true);
    expect(activeFlows(double)).toEqual([]);
  });
});

describe('3. a success stays a success', () => {
  test('Create with publish succeeds, then the read for previewUrl keeps failing: the Flow stays PUBLISHED and the deploy succeeds', async () => {
    double.faults.always('GetWhatsAppFlow', 'InternalServiceException');
    const stack = new FlowStack(double, handler, { budgetMs: 3_000 });

    const result = await stack.deploy(flows.publishedWithPreview);

    expect(result.ok).toBe(true);
    expect(result.invocations[0].response.Data).toEqual({ FlowId: stack.current!.physicalId, FlowStatus: 'PUBLISHED', PreviewUrl: '' });
    expect(result.invocations[0].logs.join('\n')).toMatch(/was created, but reading it failed/);
    expect(mutatingCalls()).toEqual(['CreateWhatsAppFlow']);
    expect(mismatches(double, stack.current!.physicalId, flows.publishedWithPreview)).toEqual([]);
  });
});

describe('4 and 5. a live Flow stays live', () => {
  test('Meta rejects new JSON on a published Flow: without a rollback, the Flow is already PUBLISHED with its previous JSON', async () => {
    rejectMarkedFlowJson(double, [JSON.stringify({
      error: 'INVALID_PROPERTY_VALUE',
      error_type: 'FLOW_JSON_ERROR',
      message: 'Invalid value found for property \'type\' in component',
      line_start: 12,
      column_start: 5,
      pointers: [{ line_start: 12, column_start: 5, path: 'screens[0].layout.children[0].type' }],
    })]);
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    const id = stack.current!.physicalId;
    double.calls.clear();
    const d = stack.delivery;

    // As with `cdk deploy --no-rollback`: the failed Update alone.
    stack.publishAsset(flows.rejectedPublished);
    const update = await d.invoke(d.updateEvent('Flow', id, flows.rejectedPublished, flows.published));

    expect(update.ok).toBe(false);
    expect(update.error).toContain("screens[0].layout.children[0].type: INVALID_PROPERTY_VALUE: Invalid value found for property 'type'");
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlowAssets', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow']);
    expect(mismatches(double, id, flows.published)).toEqual([]);
  });

  test('new JSON on a published Flow with publish false fails before any change, naming what to set', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    const id = stack.current!.physicalId;
    double.calls.clear();

    const result = await stack.deploy(flows.draftV2);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/PUBLISHED: new Flow JSON would put it back to DRAFT.*Set publish: true/);
    expect(result.rollbackOk).toBe(true);
    expect(json(id)).toBe(V1);
    expect(double.state.find(id)!.status).toBe('PUBLISHED');
  });

  test('the same, on a Flow published earlier whose publish prop was since turned off', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    expect((await stack.deploy(flows.draft)).ok).toBe(true);
    const id = stack.current!.physicalId;

    expect((await stack.deploy(flows.draftV2)).ok).toBe(false);
    expect(double.state.find(id)!.status).toBe('PUBLISHED');
    expect(json(id)).toBe(V1);
  });

  test('a rollback after a publish (another resource failed): the previous JSON is published again, the rollback succeeds', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.draft)).ok).toBe(true);
    const id = stack.current!.physicalId;

    const result = await stack.deployThenRollBack(flows.publishedV2);

    expect(result.rollbackOk).toBe(true);
    expect(double.calls.all('DescribeStacks')).toHaveLength(1);
    expect(double.state.find(id)!.status).toBe('PUBLISHED');
    expect(json(id)).toBe(V1);
  });
});

test('a rollback after a replacement that succeeded (WABA changed, another resource failed): the original Flow is the resource\'s again, the new one goes', async () => {
  const stack = new FlowStack(double, handler);
  expect((await stack.deploy(flows.published)).ok).toBe(true);
  const original = stack.current!.physicalId;

  const result = await stack.deployThenRollBack(flows.publishedOtherWaba);

  expect(result.rollbackOk).toBe(true);
  expect(result.invocations.map(i => [i.event.RequestType, i.ok])).toEqual([['Update', true], ['Update', true], ['Delete', true]]);
  expect(stack.current!.physicalId).toBe(original);
  expect(mismatches(double, original, flows.published)).toEqual([]);
  const replacement = result.invocations[0].response.PhysicalResourceId;
  expect(double.state.find(replacement)!.status).toBe('DEPRECATED');
});

describe('6. a hung request', () => {
  test('a GetWhatsAppFlow that never answers is timed out and retried: the Update succeeds long before the budget', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.draft)).ok).toBe(true);
    double.calls.clear();
    double.faults.script('GetWhatsAppFlow', [{ error: 'InternalServiceException', hang: true }]);

    const result = await stack.deploy(flows.draftV2);

    expect(result.ok).toBe(true);
    expect(result.invocations[0].ms).toBeLessThan(10_000);
    expect(double.calls.all('GetWhatsAppFlow').map(c => c.fault)).toEqual(['hang', undefined]);
    expect(mismatches(double, stack.current!.physicalId, flows.draftV2)).toEqual([]);
  });

  test('a Create that never answers and changed nothing is retried: one Flow', async () => {
    double.faults.script('CreateWhatsAppFlow', [{ error: 'InternalServiceException', hang: true }]);
    const stack = new FlowStack(double, handler);

    const result = await stack.deploy(flows.published);

    expect(result.ok).toBe(true);
    expect(double.state.all()).toHaveLength(1);
    expect(mismatches(double, stack.current!.physicalId, flows.published)).toEqual([]);
  });

  test('a Create that made the Flow and then hung: the deploy fails within seconds, names the Flow and does not remove it', async () => {
    double.faults.script('CreateWhatsAppFlow', [{ error: 'InternalServiceException', hang: true, afterApply: true }]);

    const result = await new FlowStack(double, handler).deploy(flows.published);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].ms).toBeLessThan(10_000);
    const [made] = double.state.all();
    expect(result.invocations[0].error).toContain(`id ${made.flowId}, status PUBLISHED`);
    expect(made.status).toBe('PUBLISHED');
  });

  test('after an attempt that changed nothing, a hung Create that made the Flow: the retry proves it is this Create\'s', async () => {
    double.faults.script('CreateWhatsAppFlow', ['InternalServiceException', { error: 'InternalServiceException', hang: true, afterApply: true }]);
    const stack = new FlowStack(double, handler);

    expect((await stack.deploy(flows.published)).ok).toBe(true);
    expect(double.state.all()).toHaveLength(1);
    expect(mismatches(double, stack.current!.physicalId, flows.published)).toEqual([]);
  });
});

describe('9. a Flow deleted outside the stack', () => {
  test('the next Update makes it again under a new physical id; CloudFormation\'s cleanup Delete of the old id succeeds', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.draft)).ok).toBe(true);
    const oldId = stack.current!.physicalId;
    double.state.delete(WABA, oldId);

    const result = await stack.deploy(flows.publishedV2);

    expect(result.ok).toBe(true);
    expect(result.invocations.map(i => [i.event.RequestType, i.ok])).toEqual([['Update', true], ['Delete', true]]);
    expect(stack.current!.physicalId).not.toBe(oldId);
    expect(result.invocations[0].logs.join('\n')).toMatch(/deleted outside this stack.*creating it again/);
    expect(mismatches(double, stack.current!.physicalId, flows.publishedV2)).toEqual([]);
  });
});

describe('BLOCKED and THROTTLED Flows', () => {
  test('new JSON with publish true on a BLOCKED Flow: the status is read again and the deploy fails with the reason', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    double.state.setStatus(stack.current!.physicalId, 'BLOCKED');

    const result = await stack.deploy(flows.publishedV2);

    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/is BLOCKED, so publish: true cannot be carried out/);
  });
});
