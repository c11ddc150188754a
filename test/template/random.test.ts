import { opening, synthesizeTemplates, FEEDBACK_FLOW } from './wire-driver';
import { TemplateCategory } from '../../src';
import { TemplateResourceProperties } from '../../src/template/contract';
import { templateComponents } from '../../src/template/template-definition';
import { mulberry32, SocialMessagingDouble, startSocialMessagingDouble, TemplateStatus } from '../wire/double';
import { DeclaredFlow, FlowStack, HandlerFunction, Invocation, synthesizeFlows } from '../wire/driver';

/**
 * Seeded random lives of a message-template stack through the shipped handler: edits, replacements, rollbacks that
 * another resource causes, Meta's review (at once or later), its edit limits, refusals of content, lost answers and
 * transient faults. Whatever happens: no rollback fails, nothing is left behind, no rollback takes an APPROVED
 * template back into review, attributes tell Meta's status, and the next deploy converges.
 */

const SEED = 20261206;
const SEQUENCES = 40;
const FAULT_RATE = 0.2;
const AFTER_APPLY_SHARE = 0.3;
/** Where random faults strike: every template call (CloudFormation's DescribeStacks has its own SDK retries). */
const TEMPLATE_OPERATIONS = [
  'CreateWhatsAppMessageTemplate', 'UpdateWhatsAppMessageTemplate', 'DeleteWhatsAppMessageTemplate',
  'GetWhatsAppMessageTemplate', 'ListWhatsAppMessageTemplates',
];
/** Forward failures a person is told about, each for a reason of Meta's: not violations. */
const EXPECTED_FAILURES: Array<[string, RegExp]> = [
  ['in review', /is (PENDING|DISABLED), and Meta only lets APPROVED, REJECTED or PAUSED templates be edited/],
  ['category of an approved template', /Meta does not let the category of an approved template change/],
  ['edit limit', /reached its edit limit/],
  ['Meta rejected', /Meta rejected (the edit of )?template/],
  ['refused content', /navigate_screen 'GONE' is not a screen/],
  ['name of a deleted approved template', /was used by a deleted approved template/],
];

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flow: DeclaredFlow;
let variants: Record<string, DeclaredFlow>;
/** Told of every edit the double applies, with the template's status before it. */
let onEdit: ((metaTemplateId: string, before: TemplateStatus | undefined) => void) | undefined;

beforeAll(async () => {
  flow = synthesizeFlows({ feedback: FEEDBACK_FLOW }).feedback;
  // Every combination a deploy may change: 2 names x 2 categories x 3 bodies x 2 screens, and content Meta refuses.
  const all: Record<string, object> = {};
  for (const templateName of ['alpha', 'beta']) {
    for (const category of [TemplateCategory.MARKETING, TemplateCategory.UTILITY]) {
      for (const body of ['Order {{1}}: body A', 'Order {{1}}: body B', 'Order {{1}}: body C']) {
        for (const screen of ['RECOMMEND', 'RATE']) all[`${templateName}-${category}-${body.slice(-1)}-${screen}`] = { templateName, category, body, screen };
      }
    }
  }
  variants = synthesizeTemplates(all);
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
  const update = double.templates.update.bind(double.templates);
  double.templates.update = (wabaId, id, category, components) => {
    const before = double.templates.find(id)?.status;
    update(wabaId, id, category, components);
    onEdit?.(id, before);
  };
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

interface Figures {
  sequences: number;
  held: number;
  deploys: number;
  forwardFailures: Record<string, number>;
  rollbacks: number;
  rollbacksFailed: number;
  rollbacksThatLeft: number;
  approvedPushedToReviewByRollback: number;
  redeliveries: number;
  faultsInjected: number;
  afterApplyFaults: number;
  editLimitRefusals: number;
  healedLostEdits: number;
  orphans: number;
  violations: string[];
}

/** The components the handler sends for these properties. */
function declaredComponents(template: DeclaredFlow): string {
  const p = template.properties as unknown as TemplateResourceProperties;
  return JSON.stringify(templateComponents({ ...p, NavigateScreen: p.FlowAction === 'navigate' ? p.NavigateScreen : undefined }));
}

async function runSequence(index: number, figures: Figures): Promise<string[]> {
  double.reset();
  const flows = new FlowStack(double, handler, { logicalId: 'Flow' });
  if (!(await flows.deploy(flow)).ok) return [`seq ${index}: the Flow could not be deployed`];
  const flowId = flows.current!.physicalId;
  const random = mulberry32(SEED * 13 + index);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const declared = (name: string) => opening(variants[name], flowId);
  // Mostly edits of one template; now and then a new name (a replacement) or a new category.
  const draw = () => [random() < 0.1 ? 'beta' : 'alpha', random() < 0.1 ? TemplateCategory.UTILITY : TemplateCategory.MARKETING,
    pick(['A', 'B', 'C']), pick(['RECOMMEND', 'RATE'])].join('-');
  const refused = (base: DeclaredFlow): DeclaredFlow => ({ ...base, properties: { ...base.properties, NavigateScreen: 'GONE' } });

  const stack = new FlowStack(double, handler, { logicalId: 'Template', budgetMs: 20_000 });
  const violations: string[] = [];
  const check = (what: string, problems: string[]) => problems.forEach((p) => violations.push(`seq ${index} ${what}: ${p}`));

  // Meta's review of a new or edited template, as this sequence draws it.
  const reviewRandom = mulberry32(SEED * 17 + index);
  double.templates.reviewer = () => {
    const r = reviewRandom();
    return r < 0.7 ? { status: 'PENDING' } : r < 0.9 ? { status: 'APPROVED' } : { status: 'REJECTED', rejectedReason: 'PROMOTIONAL' };
  };
  // No rollback may take an APPROVED template back into review: every edit Meta applies is watched.
  onEdit = (id, before) => {
    if (before === 'APPROVED' && /ROLLBACK_IN_PROGRESS$/.test(double.stacks.get(stack.delivery.stackId) ?? '')) {
      figures.approvedPushedToReviewByRollback++;
      check('rollback', [`template ${id} was APPROVED and a rollback edited it (now ${double.templates.find(id)!.status})`]);
    }
  };
  double.faults.randomly({ seed: SEED + index, rate: FAULT_RATE, operations: TEMPLATE_OPERATIONS, afterApplyShare: AFTER_APPLY_SHARE });

  /** Every answer with a template id tells Meta's status at that moment, unless the read after an edit failed. */
  const truthful = (what: string, invocation: Invocation) => {
    const data = invocation.result?.Data;
    if (!invocation.ok || !data?.MetaTemplateId) return;
    const record = double.templates.find(data.MetaTemplateId);
    if (!record || record.deleted) return check(what, [`answered template ${data.MetaTemplateId}, which does not exist`]);
    if (data.TemplateStatus !== record.status && !invocation.logs.some((l) => /taking it as PENDING/.test(l))) {
      check(what, [`answered ${data.TemplateStatus}, Meta holds ${record.status}`]);
    }
  };
  // Checked as each invocation answers, before a later cleanup or review changes the template.
  const invoke = stack.delivery.invoke.bind(stack.delivery);
  stack.delivery.invoke = async (...args: Parameters<typeof invoke>) => {
    const invocation = await invoke(...args);
    truthful(`${args[0].RequestType} answered`, invocation);
    return invocation;
  };
  /** Meta's template holds what `template` declares; an approved template keeps its category, and says so. */
  const holds = (what: string, template: DeclaredFlow, logs: string[] = []) => {
    const record = double.templates.find(stack.current!.physicalId);
    if (!record || record.deleted) return check(what, [`template ${stack.current!.physicalId} does not exist`]);
    const p = template.properties;
    if (record.name !== p.TemplateName) check(what, [`name ${record.name}, declared ${p.TemplateName}`]);
    if (JSON.stringify(record.components) !== declaredComponents(template)) check(what, ['components differ from the declared ones']);
    if (record.category !== p.Category && !logs.some((l) => /which an approved template keeps/.test(l))) {
      check(what, [`category ${record.category}, declared ${p.Category}`]);
    }
  };
  const leftovers = () => double.templates.live().filter((t) => t.metaTemplateId !== stack.current?.physicalId)
    .map((t) => `left behind: template ${t.metaTemplateId} '${t.name}' ${t.status}`);

  const steps = 2 + Math.floor(random() * 6);
  for (let step = 0; step < steps; step++) {
    const before = stack.current;
    const base = declared(draw());
    const template = before && random() < 0.1 ? refused(base) : base;
    const what = `step ${step} (${before ? 'update' : 'create'} to ${template.name}${template === base ? '' : ' with a screen Meta refuses'})`;
    const otherResourceFails = !!before && random() < 0.3;
    const result = otherResourceFails ? await stack.deployThenRollBack(template) : await stack.deploy(template);
    figures.deploys++;
    for (const inv of result.invocations) {
      if (inv.logs.some((l) => /but the edit is in place/.test(l))) figures.healedLostEdits++;
    }

    const forward = result.invocations[0];
    if (!forward.ok) {
      const reason = EXPECTED_FAILURES.find(([, pattern]) => pattern.test(forward.error ?? ''));
      if (reason) figures.forwardFailures[reason[0]] = (figures.forwardFailures[reason[0]] ?? 0) + 1;
      else check(what, [`unexpected failure: ${forward.error}`]);
      if (reason?.[0] === 'edit limit') figures.editLimitRefusals++;
    }
    if (result.rolledBack && before) {
      figures.rollbacks++;
      const rollback = result.invocations.find((inv) => inv !== forward && inv.event.RequestType === 'Update');
      if (!result.rollbackOk) {
        figures.rollbacksFailed++;
        check(what, [`rollback failed: ${rollback?.error}`]);
      } else if (rollback?.logs.some((l) => /the rollback leaves template/.test(l))) {
        figures.rollbacksThatLeft++;
      } else {
        holds(`${what} rolled back`, before.flow);
      }
    } else if (result.ok) {
      holds(what, template, forward.logs);
      if (random() < 0.15) {
        // The same Update again, as when Lambda retries: the template already holds it, so nothing is sent.
        figures.redeliveries++;
        const event = forward.event;
        const replaced = event.RequestType === 'Create' || forward.response.PhysicalResourceId !== (event as { PhysicalResourceId?: string }).PhysicalResourceId;
        if (!replaced) {
          const mutatingBefore = double.calls.mutating().length;
          const again = await stack.delivery.invoke(event);
          if (!again.ok) check(`${what} redelivered`, [`failed: ${again.error}`]);
          else if (double.calls.mutating().length !== mutatingBefore) check(`${what} redelivered`, ['sent a mutating call for a template that already matched']);
        }
      }
    }
    check(what, leftovers());

    // Meantime Meta reviews, and time passes.
    const current = stack.current && double.templates.find(stack.current.physicalId);
    if (current && !current.deleted && random() < 0.6) {
      const r = random();
      double.templates.setStatus(current.metaTemplateId, (r < 0.7 ? 'APPROVED' : r < 0.85 ? 'REJECTED' : 'PAUSED') as TemplateStatus);
    }
    double.templates.advanceHours(pick([0, 0, 1, 25]));
  }

  // The next deploy converges: once Meta has reviewed and a day has passed, the stack's own properties again.
  if (stack.current) {
    double.faults.clear();
    double.templates.reviewer = () => ({ status: 'PENDING' });
    double.templates.setStatus(stack.current.physicalId, 'APPROVED');
    double.templates.advanceHours(25);
    const again = await stack.deploy(stack.current.flow);
    if (!again.ok) check('converging deploy', [`failed: ${again.invocations[0].error}`]);
    else holds('converging deploy', stack.current.flow, again.invocations[0].logs);
    double.faults.randomly({ seed: SEED + index + 1, rate: FAULT_RATE, operations: TEMPLATE_OPERATIONS, afterApplyShare: AFTER_APPLY_SHARE });
  }

  // `cdk destroy`, tried twice as a person would after a DELETE_FAILED.
  for (let attempt = 0; attempt < 2 && stack.current; attempt++) await stack.destroy();
  if (stack.current) check('destroy', [`failed: ${stack.delivery.invocations.at(-1)!.error}`]);
  const orphans = double.templates.live();
  figures.orphans += orphans.length;
  check('after destroy', orphans.map((t) => `orphan: template ${t.metaTemplateId} '${t.name}' ${t.status}`));

  const calls = double.calls.all();
  figures.faultsInjected += calls.filter((c) => c.fault).length;
  figures.afterApplyFaults += calls.filter((c) => c.fault === 'after-apply').length;
  return violations;
}

test(`${SEQUENCES} seeded random template stack lives: no stuck rollback, no orphan, no APPROVED template sent back to review by a rollback`, async () => {
  const figures: Figures = {
    sequences: 0,
    held: 0,
    deploys: 0,
    forwardFailures: {},
    rollbacks: 0,
    rollbacksFailed: 0,
    rollbacksThatLeft: 0,
    approvedPushedToReviewByRollback: 0,
    redeliveries: 0,
    faultsInjected: 0,
    afterApplyFaults: 0,
    editLimitRefusals: 0,
    healedLostEdits: 0,
    orphans: 0,
    violations: [],
  };
  const started = Date.now();
  for (let i = 0; i < SEQUENCES; i++) {
    const violations = await runSequence(i, figures);
    figures.sequences++;
    if (violations.length === 0) figures.held++;
    figures.violations.push(...violations);
  }
  const { violations, ...counts } = figures;
  // The figures are part of the result: print them with every run.
  process.stdout.write(`\ntemplate random wire test (seed ${SEED}, ${FAULT_RATE * 100}% faults, lost-answer share ${AFTER_APPLY_SHARE}, `
    + `${Date.now() - started} ms): ${JSON.stringify(counts)}\n${violations.slice(0, 10).map((v) => `  ${v}\n`).join('')}`);

  expect(figures.violations.slice(0, 10)).toEqual([]);
  expect(figures.rollbacksFailed).toBe(0);
  expect(figures.orphans).toBe(0);
  expect(figures.approvedPushedToReviewByRollback).toBe(0);
  expect(figures.held).toBe(SEQUENCES);
  // The life was eventful: each hazard the test is about happened.
  expect(figures.faultsInjected).toBeGreaterThan(100);
  expect(figures.afterApplyFaults).toBeGreaterThan(10);
  expect(figures.editLimitRefusals).toBeGreaterThan(0);
  expect(figures.rollbacksThatLeft).toBeGreaterThan(0);
  expect(figures.healedLostEdits).toBeGreaterThan(0);
}, 60_000);
