import { LIVE_STATUSES, ObservedFlow } from './api';
import { DesiredFlow, hasMetadataChanges, MetadataChanges } from './desired';
import { differingFields, Plan, sameSet } from '../../provider/converge';

/** One mutating call of a Flow's convergence, in the order it is made: metadata, then JSON, then publish, last. */
export type FlowStep =
  | { readonly call: 'UpdateWhatsAppFlow'; readonly changes: MetadataChanges }
  | { readonly call: 'UpdateWhatsAppFlowAssets' }
  /**
   * Publishes the Flow when it is DRAFT by then. `required`: a Flow that Meta holds (BLOCKED, THROTTLED) fails
   * the step, as when this deploy changed its JSON; otherwise its status is only reported.
   */
  | { readonly call: 'PublishWhatsAppFlow'; readonly required: boolean };

/** What is known of the Flow JSON the Flow holds, against the declared one. */
export type JsonComparison = 'same' | 'different' | 'none-declared';

export interface FlowPlanInput {
  readonly flowId: string;
  readonly desired: DesiredFlow;
  /** The properties the resource had; undefined when a Flow made elsewhere is adopted. */
  readonly previous?: DesiredFlow;
  readonly observed: ObservedFlow;
  readonly json: JsonComparison;
  /** CloudFormation restores the previous properties: no rule that protects the live Flow blocks, and it stays live. */
  readonly rollback: boolean;
}

/**
 * Desired against observed: the calls that bring the Flow to the declared state, or why a forward Update may not.
 * Pure: the reads it needs (GetWhatsAppFlow, and the Flow's JSON where the answer matters) are made before.
 *
 * A field Meta does not report (`observed` undefined) counts as differing when the properties changed it.
 */
export function planFlow(input: FlowPlanInput): Plan<FlowStep> {
  const { flowId, desired, previous, observed } = input;
  const metadata = differingFields([
    {
      name: 'name',
      desired: desired.flowName,
      observed: observed.name,
      unreported: previous !== undefined && previous.flowName !== desired.flowName,
    },
    {
      name: 'categories',
      desired: desired.categories as string[],
      observed: observed.categories,
      same: sameSet,
      unreported: previous === undefined || !sameSet(previous.categories, desired.categories),
    },
    // An endpoint or an app cannot be removed: only a declared one is converged.
    ...(desired.endpointUri ? [{
      name: 'endpoint', desired: desired.endpointUri, observed: observed.endpointUri, unreported: previous?.endpointUri !== desired.endpointUri,
    }] : []),
    ...(desired.metaAppId ? [{
      name: 'Meta app', desired: desired.metaAppId, observed: observed.metaAppId, unreported: previous?.metaAppId !== desired.metaAppId,
    }] : []),
  ]);
  const changes: MetadataChanges = {
    flowName: metadata.includes('name') ? desired.flowName : undefined,
    categories: metadata.includes('categories') ? desired.categories : undefined,
    endpointUri: metadata.includes('endpoint') ? desired.endpointUri : undefined,
    metaAppId: metadata.includes('Meta app') ? desired.metaAppId : undefined,
  };
  const push = input.json === 'different';
  const live = LIVE_STATUSES.includes(observed.status);
  const differences = [
    ...metadata,
    ...(push ? ['Flow JSON'] : []),
    ...(desired.publish && observed.status !== 'PUBLISHED' ? ['status'] : []),
  ];

  if (observed.status === 'DEPRECATED' && (hasMetadataChanges(changes) || push)) {
    return {
      steps: [],
      differences,
      blocked: `Flow ${flowId} is DEPRECATED and cannot be changed (deprecation cannot be undone). `
        + 'Give the WhatsAppFlow construct a new id and flowName so that a new Flow is created.',
    };
  }
  if (push && live && !desired.publish && !input.rollback) {
    return {
      steps: [],
      differences,
      blocked: `Flow ${flowId} is ${observed.status}: new Flow JSON would put it back to DRAFT and take it off the air, `
        + 'and publish is false. Nothing was changed. Set publish: true to publish the new Flow JSON, or keep the Flow JSON as it is.',
    };
  }

  const steps: FlowStep[] = [];
  if (hasMetadataChanges(changes)) steps.push({ call: 'UpdateWhatsAppFlow', changes });
  if (push) {
    steps.push({ call: 'UpdateWhatsAppFlowAssets' });
    // A rollback with publish false puts a live Flow's previous JSON back on the air: publishing cannot be undone.
    if (desired.publish || live) steps.push({ call: 'PublishWhatsAppFlow', required: true });
  } else if (desired.publish && observed.status !== 'PUBLISHED') {
    steps.push({ call: 'PublishWhatsAppFlow', required: false });
  }
  return { steps, differences };
}
