/**
 * Many Flows against Meta's rate limit, through the shipped handler and the Provider framework's isComplete waiter
 * (the wire driver's): at a limit under which the work needs several invocations, every operation finishes, with
 * no failure, no orphan and no duplicate (issue 22). Time is scaled down: 2-second invocations.
 */
import { SocialMessagingDouble, startSocialMessagingDouble } from './double';
import { activeFlows, DeclaredFlow, FlowStack, flowJson, HandlerFunction, synthesizeFlows } from './driver';
import { FlowCategory } from '../../src';

const FLOWS = 8;
let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flows: DeclaredFlow[];

beforeAll(async () => {
  const declared = synthesizeFlows({ published: { flowName: 'limited', categories: [FlowCategory.OTHER], json: flowJson('v1'), publish: true } });
  const flow = declared.published;
  flows = Array.from({ length: FLOWS }, (_, i) => ({
    ...flow, variant: { ...flow.variant, flowName: `limited-${i}` }, properties: { ...flow.properties, FlowName: `limited-${i}` },
  }));
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint, { throttle: { minDelayMs: 50, firstSpreadMs: 500, maxDelayMs: 500 } });
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

test('a first deploy and a destroy that need several invocations each: all wait, none fails, one Flow per resource', async () => {
  // 8 Flows at one call per second: about 8 s of work against 1.5 s of each 2-second invocation.
  double.rateLimit.set({ ratePerSecond: 1, burst: 1 });
  const stacks = flows.map((_, i) => new FlowStack(double, handler, { budgetMs: 2_000, logicalId: `Flow${i}`, queryIntervalMs: 100 }));

  const created = await Promise.all(stacks.map((s, i) => s.deploy(flows[i])));
  expect(created.map((r) => r.ok)).toEqual(flows.map(() => true));
  expect(created.reduce((n, r) => n + (r.invocations[0].waits ?? 0), 0)).toBeGreaterThan(0);
  const live = activeFlows(double);
  expect(live.map((f) => f.name).sort()).toEqual(flows.map((f) => f.variant.flowName).sort());
  expect(new Set(live.map((f) => f.flowId))).toEqual(new Set(stacks.map((s) => s.current!.physicalId)));
  expect(live.every((f) => f.status === 'PUBLISHED')).toBe(true);
  // Each Flow was created by exactly one applied CreateWhatsAppFlow.
  expect(double.calls.all('CreateWhatsAppFlow').filter((c) => c.status === 200)).toHaveLength(FLOWS);
  expect(created.every((r) => !r.invocations[0].response.PhysicalResourceId.startsWith('pending-create:'))).toBe(true);

  double.calls.clear();
  const destroyed = await Promise.all(stacks.map((s) => s.destroy()));
  expect(destroyed.map((r) => r!.ok)).toEqual(flows.map(() => true));
  expect(destroyed.reduce((n, r) => n + (r!.waits ?? 0), 0)).toBeGreaterThan(0);
  expect(activeFlows(double)).toEqual([]);
  expect(double.calls.all('DeprecateWhatsAppFlow').filter((c) => c.status === 200)).toHaveLength(FLOWS);
}, 120_000);

test('a Create whose wait ends before the limit lets it through fails cleanly: nothing made, and its rollback Delete succeeds', async () => {
  double.reset();
  double.rateLimit.set({ ratePerSecond: 0.001, burst: 0 });
  const limited = new HandlerFunction(double.endpoint, { throttle: { minDelayMs: 50, firstSpreadMs: 200, maxDelayMs: 200 }, waitMs: 3_000 });
  try {
    const stack = new FlowStack(double, limited, { budgetMs: 2_000, queryIntervalMs: 100 });
    const result = await stack.deploy(flows[0]);
    expect(result.ok).toBe(false);
    expect(result.invocations[0].error).toMatch(/ThrottledRequestException.*Deploy again later/);
    // The failed Create answers with its pending id; CloudFormation's Delete of it reaches the handler and succeeds.
    expect(result.invocations[0].response.PhysicalResourceId).toMatch(/^pending-create:/);
    expect(result.rollbackOk).toBe(true);
    expect(double.calls.all('CreateWhatsAppFlow').filter((c) => c.status === 200)).toEqual([]);
    expect(activeFlows(double)).toEqual([]);
  } finally {
    await limited.close();
  }
}, 60_000);
