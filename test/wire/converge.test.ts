import { SocialMessagingDouble, startSocialMessagingDouble } from './double';
import { DeclaredFlow, FlowStack, flowJson, HandlerFunction, mismatches, synthesizeFlows } from './driver';
import { FlowCategory } from '../../src';

/**
 * Converge, don't diff (issue 19): every Update, forward or rollback, compares the declared Flow with what Meta
 * reports, through the shipped handler on the wire.
 */

const V1 = flowJson('converged first version');
const V2 = flowJson('converged second version');

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flows: Record<string, DeclaredFlow>;

beforeAll(async () => {
  const draft = { flowName: 'converged', categories: [FlowCategory.OTHER], json: V1 };
  flows = synthesizeFlows({
    draft,
    published: { ...draft, publish: true },
    draftV2: { ...draft, json: V2 },
    publishedV2: { ...draft, json: V2, publish: true },
    renamedPublishedV2: { ...draft, flowName: 'converged-renamed', json: V2, publish: true },
  });
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

beforeEach(() => double.reset());

const mutatingCalls = () => double.calls.mutating().map(c => c.operation);
const json = (flowId: string) => double.state.find(flowId)!.json!.toString('utf8');
/** A 5xx after the service applied the request: the handler cannot tell it from one that changed nothing. */
const LOST = { error: 'InternalServiceException', afterApply: true } as const;

/**
 * Issue 19's steps 1 and 2: a draft deployed with publish: true, then rolled back to publish: false because another
 * resource failed. The Flow stays PUBLISHED with V1 while the stack declares a draft of V1.
 */
async function publishedThenRolledBackToDraft(budgetMs?: number): Promise<{ stack: FlowStack; id: string }> {
  const stack = new FlowStack(double, handler, { budgetMs });
  expect((await stack.deploy(flows.draft)).ok).toBe(true);
  const id = stack.current!.physicalId;
  const publishRolledBack = await stack.deployThenRollBack(flows.published);
  expect(publishRolledBack.invocations[0].ok).toBe(true);
  expect(publishRolledBack.rollbackOk).toBe(true);
  expect(double.state.find(id)!.status).toBe('PUBLISHED');
  double.calls.clear();
  return { stack, id };
}

describe('issue 19: new JSON refused on a live Flow, then the rollback to the JSON it holds', () => {
  test('the forward Update is refused, and its rollback succeeds with no mutating call; the Flow stays on the air', async () => {
    const { stack, id } = await publishedThenRolledBackToDraft();

    const result = await stack.deploy(flows.draftV2);

    expect(result.invocations[0].error).toMatch(/is PUBLISHED: new Flow JSON would put it back to DRAFT and take it off the air/);
    expect(result.rollbackOk).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(json(id)).toBe(V1);
    expect(result.invocations[1].response.Data).toMatchObject({ FlowId: id, FlowStatus: 'PUBLISHED' });
    expect(mismatches(double, id, flows.draft, true)).toEqual([]);
  });

  test('the same when CloudFormation\'s stack status cannot be read: the rollback does not depend on it', async () => {
    const { stack, id } = await publishedThenRolledBackToDraft(3_000);
    double.faults.always('DescribeStacks', 'InternalServiceException');

    const result = await stack.deploy(flows.draftV2);

    // The forward Update asks until its budget runs out, then refuses as a forward Update.
    expect(result.invocations[0].error).toMatch(/take it off the air/);
    expect(result.rollbackOk).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(double.state.find(id)!.status).toBe('PUBLISHED');
    expect(json(id)).toBe(V1);
  }, 20_000);

  test('a forward Update to the JSON the live Flow already holds, with publish false, succeeds and changes nothing', async () => {
    const { stack, id } = await publishedThenRolledBackToDraft();
    // The Flow holds V2 already, published: as after a rollback that Meta refused, which left it as it was.
    double.state.updateAssets(double.state.find(id)!.wabaId, id, Buffer.from(V2));
    double.state.publish(double.state.find(id)!.wabaId, id);

    const result = await stack.deploy(flows.draftV2);

    expect(result.ok).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(result.invocations[0].response.Data!.FlowStatus).toBe('PUBLISHED');
  });
});

describe('a rollback that Meta refuses succeeds and leaves the Flow as it is', () => {
  test('the previous JSON is refused now: the Flow stays PUBLISHED with the JSON it has, the attributes say so, the log names what differs', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    const id = stack.current!.physicalId;
    // Meta's checks changed since V1 was published (a Flow JSON version retired, say): V1 is refused from now on.
    double.state.validator = (bytes) => (bytes.toString('utf8').includes('first version') ? ['INVALID_VERSION: 7.0 is retired'] : []);

    const result = await stack.deployThenRollBack(flows.publishedV2);

    expect(result.invocations[0].ok).toBe(true);
    expect(result.rollbackOk).toBe(true);
    const rollback = result.invocations[1];
    expect(rollback.response.Data).toMatchObject({ FlowId: id, FlowStatus: 'PUBLISHED' });
    expect(double.state.find(id)!.status).toBe('PUBLISHED');
    expect(json(id)).toBe(V2);
    const logs = rollback.logs.join('\n');
    expect(logs).toMatch(/rollback: Flow \d+ is left as it is .* differs from the restored properties in Flow JSON/);
    expect(logs).not.toContain('converged');

    // The next deploy converges the Flow to what it declares.
    double.state.validator = () => [];
    expect((await stack.deploy(flows.publishedV2)).ok).toBe(true);
    expect(json(id)).toBe(V2);
  });
});

describe('a lost answer: the retry reads first, and an edit that already applied is a success', () => {
  test('UpdateWhatsAppFlow, UpdateWhatsAppFlowAssets and PublishWhatsAppFlow each applied with their answers lost: each is sent once', async () => {
    const stack = new FlowStack(double, handler);
    expect((await stack.deploy(flows.published)).ok).toBe(true);
    const id = stack.current!.physicalId;
    double.calls.clear();
    double.faults.script('UpdateWhatsAppFlow', [LOST]).script('UpdateWhatsAppFlowAssets', [LOST]).script('PublishWhatsAppFlow', [LOST]);

    const result = await stack.deploy(flows.renamedPublishedV2);

    expect(result.ok).toBe(true);
    expect(mutatingCalls()).toEqual(['UpdateWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow']);
    expect(mismatches(double, id, flows.renamedPublishedV2)).toEqual([]);
    expect(result.invocations[0].logs.join('\n')).toMatch(/PublishWhatsAppFlow: its answer was lost, and Flow \d+ is already PUBLISHED/);
  });

});
