import { mulberry32, SocialMessagingDouble, startSocialMessagingDouble } from './double';
import {
  activeFlows, DeclaredFlow, FlowStack, flowJson, FlowVariant, HandlerFunction, leftovers, META_REJECTS, mismatches,
  OTHER_WABA, rejectMarkedFlowJson, synthesizeFlows, WABA,
} from './driver';
import { FlowCategory } from '../../src';

const SEED = 20260101;
const SEQUENCES = 200;
const FAULT_RATE = 0.2;
/** Where random faults strike: every Flow API call (S3 has its own SDK retries and slow back-off). */
const FLOW_OPERATIONS = [
  'CreateWhatsAppFlow', 'UpdateWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow', 'DeprecateWhatsAppFlow',
  'DeleteWhatsAppFlow', 'GetWhatsAppFlow', 'GetWhatsAppFlowPreview', 'ListWhatsAppFlows', 'ListWhatsAppFlowAssets',
  // CloudFormation's DescribeStacks too: whether the stack rolls back must not decide whether a rollback succeeds.
  'DescribeStacks',
];
const REJECTED = flowJson(`${META_REJECTS}: Meta finds a problem the synth-time validator does not`);

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let variants: DeclaredFlow[];

beforeAll(async () => {
  // Every combination of the props a deploy may change: 2 names x 2 category sets x 3 JSONs x publish x 2 WABAs.
  const all: Record<string, FlowVariant> = {};
  for (const flowName of ['alpha', 'beta']) {
    for (const categories of [[FlowCategory.OTHER], [FlowCategory.SIGN_UP, FlowCategory.SURVEY]]) {
      for (const json of [flowJson('json A'), flowJson('json B'), REJECTED]) {
        for (const publish of [false, true]) {
          for (const waba of [WABA, OTHER_WABA]) {
            all[`v${Object.keys(all).length}`] = { flowName, categories, json, publish, waba };
          }
        }
      }
    }
  }
  variants = Object.values(synthesizeFlows(all));
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

interface Figures {
  sequences: number;
  held: number;
  operations: number;
  failedOperations: number;
  nameHeldFailures: number;
  unexpectedFailures: number;
  redeliveries: number;
  faultsInjected: number;
  afterApplyFaults: number;
  /** Creates refused because their first attempt got no answer while the name was taken: the Flow is named, not touched. */
  unprovableCreates: number;
  /** Updates refused because new Flow JSON would take a live Flow off the air (publish false). */
  liveFlowRefusals: number;
  /** Updates that succeeded and were then rolled back because another resource of the stack failed. */
  rollbacksByOthers: number;
  /** Rollbacks (of this resource's failure or another's) that failed: UPDATE_ROLLBACK_FAILED. */
  stuckRollbacks: number;
  /** Flows that were PUBLISHED and were found in DRAFT after an operation. */
  takenOffAir: number;
  orphans: number;
  violations: string[];
}

/** One random stack life: deploys (some redelivered), then destroy. Returns what went wrong. */
async function runSequence(index: number, afterApplyShare: number, figures: Figures): Promise<string[]> {
  double.reset();
  rejectMarkedFlowJson(double);
  double.faults.randomly({ seed: SEED + index, rate: FAULT_RATE, operations: FLOW_OPERATIONS, afterApplyShare });
  const random = mulberry32(SEED * 7 + index);
  const stack = new FlowStack(double, handler, { budgetMs: 20_000 });
  const everPublished = new Set<string>();
  const violations: string[] = [];
  const check = (what: string, problems: string[]) => problems.forEach(p => violations.push(`seq ${index} ${what}: ${p}`));
  const notePublished = () => double.state.all().filter(f => f.status === 'PUBLISHED').forEach(f => everPublished.add(f.flowId));
  const matches = (id: string, flow: DeclaredFlow) => mismatches(double, id, flow, everPublished.has(id));
  // A Flow that was PUBLISHED never goes back to DRAFT, whatever the deploy does (rule 13).
  const onAir = () => [...everPublished].map(id => double.state.find(id)!).filter(f => !f.deleted && f.status === 'DRAFT')
    .map(f => `Flow ${f.flowId} was PUBLISHED and is now DRAFT`);
  // Flows a failed Create named as possibly its own but unprovably so: left to the person reading the failure.
  const named = new Set<string>();
  const owned = () => leftovers(double, [stack.current?.physicalId, ...named]).map(f => `left behind: Flow ${f.flowId} ${f.status} in ${f.wabaId}`);

  const steps = 1 + Math.floor(random() * 5);
  for (let step = 0; step < steps; step++) {
    const before = stack.current;
    const held = before && double.state.find(before.physicalId);
    const pick = random();
    // Besides random props, the sequences of issue 19: a draft published and rolled back by another resource's
    // failure, then new Flow JSON with publish false on the Flow that stayed live (refused, and rolled back).
    const flow = held && !held.deleted && held.status === 'DRAFT' && pick < 0.25 ? like(before!.flow, { publish: true })
      : held && !held.deleted && held.status === 'PUBLISHED' && pick < 0.4 ? like(before!.flow, { publish: false, otherJson: true })
        : variants[Math.floor(random() * variants.length)];
    // A deprecated Flow keeps its name, and names are unique in a WABA: such a deploy must fail.
    const nameHeld = double.state.live(flow.variant.waba).some(f => f.name === flow.variant.flowName && f.flowId !== before?.physicalId);
    // New Flow JSON with publish false on a live Flow is refused: it would take the Flow off the air.
    const current = before && double.state.find(before.physicalId);
    const liveRule = !!current && !current.deleted && current.status === 'PUBLISHED' && current.wabaId === (flow.variant.waba ?? WABA)
      && !flow.variant.publish && flow.variant.json !== before!.flow.variant.json;
    // Another resource of the stack fails after this one was updated: CloudFormation rolls this one back too.
    const othersFail = !!before && random() < (flow.variant.publish && !before.flow.variant.publish ? 0.5 : 0.3);
    const mutatingBefore = double.calls.mutating().length;
    const result = othersFail ? await stack.deployThenRollBack(flow) : await stack.deploy(flow);
    const what = `step ${step} (${before ? 'update' : 'create'} to ${describe(flow)}${othersFail ? ', then another resource fails' : ''})`;
    figures.operations++;
    const offAir = onAir();
    figures.takenOffAir += offAir.length;
    check(what, offAir);
    notePublished();
    if (othersFail) {
      const forward = result.invocations[0];
      if (forward.ok) {
        figures.rollbacksByOthers++;
      } else {
        figures.failedOperations++;
        const error = forward.error ?? '';
        const unprovable = /may have made that Flow/.test(error);
        if (unprovable) {
          figures.unprovableCreates++;
          named.add(/id (\d+)/.exec(error)![1]);
        }
        if (liveRule) figures.liveFlowRefusals++;
        if (nameHeld && flow.variant.json !== REJECTED) figures.nameHeldFailures++;
        if (flow.variant.json !== REJECTED && !nameHeld && !liveRule && !unprovable) {
          figures.unexpectedFailures++;
          check(what, [`unexpected failure: ${error}`]);
        }
      }
      if (!result.rollbackOk) {
        figures.stuckRollbacks++;
        check(what, [`rollback failed: ${result.invocations.find((i, n) => n > 0 && !i.ok)?.error}`]);
      } else {
        check(`${what} rolled back`, matches(stack.current!.physicalId, before!.flow));
      }
    } else if (result.ok) {
      check(what, matches(stack.current!.physicalId, flow));
      if (random() < 0.15) {
        // The same event again, as when Lambda retries: an Update gives the same answer; a Create finds its own
        // Flow's name taken and fails naming it. Either way nothing changes.
        figures.redeliveries++;
        const event = result.invocations[0].event;
        const again = await stack.delivery.invoke(event);
        notePublished();
        // A Create, or an Update that replaced the Flow: the repeat makes a Flow again and finds the name taken.
        const made = event.RequestType === 'Create' || result.invocations[0].response.PhysicalResourceId !== (event as { PhysicalResourceId?: string }).PhysicalResourceId;
        if (made && again.ok) check(`${what} redelivered`, [`a repeated Create succeeded: ${again.response.PhysicalResourceId}`]);
        if (made && !again.ok && !again.error!.includes(`id ${stack.current!.physicalId}`)) check(`${what} redelivered`, [`failed: ${again.error}`]);
        if (!made && !again.ok) check(`${what} redelivered`, [`failed: ${again.error}`]);
        if (!made && again.ok && again.response.PhysicalResourceId !== stack.current!.physicalId) check(`${what} redelivered`, [`answered ${again.response.PhysicalResourceId}`]);
        check(`${what} redelivered`, matches(stack.current!.physicalId, flow));
      }
    } else {
      figures.failedOperations++;
      const error = result.invocations[0].error ?? '';
      const unprovable = /may have made that Flow/.test(error);
      if (unprovable) {
        figures.unprovableCreates++;
        named.add(/id (\d+)/.exec(error)![1]);
      }
      if (liveRule) figures.liveFlowRefusals++;
      if (nameHeld && flow.variant.json !== REJECTED) figures.nameHeldFailures++;
      if (flow.variant.json !== REJECTED && !nameHeld && !liveRule && !unprovable) {
        figures.unexpectedFailures++;
        check(what, [`unexpected failure: ${error}`]);
      }
      // Refused before any change: its rollback to publish false finds the Flow as declared and changes nothing
      // either. (A rollback to publish true pushes and publishes its JSON again, as any JSON update of a published
      // Flow: telling the rollback apart would cost a read on that normal path.)
      if (liveRule && !before!.flow.variant.publish && double.calls.mutating().length > mutatingBefore) {
        check(what, [`refused, yet made ${double.calls.mutating().slice(mutatingBefore).map(c => c.operation).join(', ')}`]);
      }
      if (before && !result.rollbackOk) {
        figures.stuckRollbacks++;
        check(what, [`rollback failed: ${result.invocations[1].error}`]);
      }
      if (before && result.rollbackOk) check(`${what} rolled back`, matches(stack.current!.physicalId, before.flow));
    }
    check(what, owned());
  }

  // `cdk destroy`, tried twice as a person would after a DELETE_FAILED.
  for (let attempt = 0; attempt < 2 && stack.current; attempt++) await stack.destroy();
  if (stack.current) check('destroy', [`failed: ${stack.delivery.invocations.at(-1)!.error}`]);
  const orphans = activeFlows(double).filter(f => !named.has(f.flowId));
  figures.orphans += orphans.length;
  check('after destroy', orphans.map(f => `orphan: Flow ${f.flowId} ${f.status} in ${f.wabaId}`));

  const calls = double.calls.all();
  figures.faultsInjected += calls.filter(c => c.fault).length;
  figures.afterApplyFaults += calls.filter(c => c.fault === 'after-apply').length;
  return violations;
}

/** The declared variant with publish set, and with the other valid Flow JSON (A for B, B for A, A for rejected). */
function like(flow: DeclaredFlow, change: { publish: boolean; otherJson?: boolean }): DeclaredFlow {
  const v = flow.variant;
  const json = !change.otherJson ? v.json : v.json === flowJson('json A') ? flowJson('json B') : flowJson('json A');
  return variants.find(d => d.variant.flowName === v.flowName && String(d.variant.categories) === String(v.categories) && d.variant.waba === v.waba
    && d.variant.json === json && !!d.variant.publish === change.publish)!;
}

function describe(flow: DeclaredFlow): string {
  const v = flow.variant;
  const json = v.json === REJECTED ? 'rejected JSON' : `JSON ${v.json!.includes('json A') ? 'A' : 'B'}`;
  return `${v.flowName} [${v.categories}] ${json}${v.publish ? ' published' : ''} in ${v.waba === WABA ? 'WABA 1' : 'WABA 2'}`;
}

/** Runs every sequence and prints the figures; `afterApplyShare` of the 5xx faults lose a response. */
async function runAll(afterApplyShare: number): Promise<Figures> {
  const figures: Figures = {
    sequences: 0,
    held: 0,
    operations: 0,
    failedOperations: 0,
    nameHeldFailures: 0,
    unexpectedFailures: 0,
    redeliveries: 0,
    faultsInjected: 0,
    afterApplyFaults: 0,
    unprovableCreates: 0,
    liveFlowRefusals: 0,
    rollbacksByOthers: 0,
    stuckRollbacks: 0,
    takenOffAir: 0,
    orphans: 0,
    violations: [],
  };
  for (let i = 0; i < SEQUENCES; i++) {
    const violations = await runSequence(i, afterApplyShare, figures);
    figures.sequences++;
    if (violations.length === 0) figures.held++;
    figures.violations.push(...violations);
  }
  const { violations, ...counts } = figures;
  // The figures are part of the result: print them with every run.
  process.stdout.write(`\nwire random test (seed ${SEED}, ${FAULT_RATE * 100}% faults, lost-response share ${afterApplyShare}): `
    + `${JSON.stringify(counts)}\n${violations.slice(0, 10).map(v => `  ${v}\n`).join('')}`);
  return figures;
}

function expectAllHeld(figures: Figures): void {
  expect(figures.faultsInjected).toBeGreaterThan(100);
  expect(figures.violations.slice(0, 10)).toEqual([]);
  // The mix: rollbacks caused by other resources, live-Flow refusals (each followed by its rollback), Meta's refusals.
  expect(figures.rollbacksByOthers).toBeGreaterThan(30);
  expect(figures.liveFlowRefusals).toBeGreaterThan(50);
  expect(figures.stuckRollbacks).toBe(0);
  expect(figures.takenOffAir).toBe(0);
  expect(figures.orphans).toBe(0);
  expect(figures.held).toBe(SEQUENCES);
}

test(`${SEQUENCES} seeded random stack lives with ${FAULT_RATE * 100}% retryable faults keep the Flows in step`, async () => {
  expectAllHeld(await runAll(0));
}, 60_000);

// Lost responses: a retried Publish or Deprecate finds the Flow already there; a Flow that a lost Create made is
// this Create's when the name was seen free before that attempt, and otherwise named in the failure and not touched.
test('the same, with 30% of the 5xx faults striking after the request was applied (lost responses)', async () => {
  expectAllHeld(await runAll(0.3));
}, 60_000);
