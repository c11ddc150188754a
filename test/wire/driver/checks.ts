import { defaultFlowJsonValidator, FlowRecord, SocialMessagingDouble } from '../double';
import { DeclaredFlow, WABA } from './template';

/** Flows the double holds that are neither deleted nor deprecated: what a stack may still own. */
export function activeFlows(double: SocialMessagingDouble): FlowRecord[] {
  return double.state.live().filter(f => f.status !== 'DEPRECATED');
}

/** Active flows other than `owned`: what an operation left behind. */
export function leftovers(double: SocialMessagingDouble, owned: Array<string | undefined>): FlowRecord[] {
  return activeFlows(double).filter(f => !owned.includes(f.flowId));
}

/**
 * How the double's Flow differs from the declared props; empty when it matches.
 * `mayStayPublished`: the Flow was published before, and publishing cannot be undone.
 */
export function mismatches(double: SocialMessagingDouble, physicalId: string, flow: DeclaredFlow, mayStayPublished = false): string[] {
  const record = double.state.find(physicalId);
  if (!record || record.deleted) return [`Flow ${physicalId} does not exist`];
  const v = flow.variant;
  const problems: string[] = [];
  const expect = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${what}: ${JSON.stringify(actual)}, declared ${JSON.stringify(expected)}`);
  };
  expect('WABA', record.wabaId, v.waba ?? WABA);
  expect('name', record.name, v.flowName);
  expect('categories', [...record.categories].sort(), [...v.categories].sort());
  expect('Flow JSON', record.json?.toString('utf8'), flow.asset?.bytes.toString('utf8'));
  const statuses = v.publish ? ['PUBLISHED'] : mayStayPublished ? ['DRAFT', 'PUBLISHED'] : ['DRAFT'];
  if (!statuses.includes(record.status)) problems.push(`status: ${record.status}, declared ${statuses.join(' or ')}`);
  return problems;
}

/** The text that makes the double reject a Flow JSON the synth-time validator accepts. */
export const META_REJECTS = 'META-REJECTS';

/**
 * Meta's checks go beyond the synth-time validator: the double rejects any Flow JSON holding `META_REJECTS`,
 * with `errors` (one by default). `double.reset()` undoes this.
 */
export function rejectMarkedFlowJson(double: SocialMessagingDouble, errors = ['INVALID_PROPERTY_VALUE: Screen WELCOME: the text is not allowed.']): void {
  double.state.validator = (json, flow) => json.includes(META_REJECTS) ? errors : defaultFlowJsonValidator(json, flow);
}
