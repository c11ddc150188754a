import { RemovalPolicy } from 'aws-cdk-lib';
import { FlowCategory } from '../../../src';
import { startSocialMessagingDouble } from '../double';
import { FlowStack } from './cloudformation';
import { HandlerFunction } from './handler';
import { DeclaredFlow, synthesizeFlows } from './template';

export * from './checks';
export * from './cloudformation';
export * from './handler';
export * from './template';

/** A valid Flow JSON with a marker of its own, so that each version can be told apart. */
export function flowJson(marker: string): string {
  const children = [
    { type: 'TextBody', text: marker },
    { 'type': 'Footer', 'label': 'Close', 'on-click-action': { name: 'complete', payload: {} } },
  ];
  return JSON.stringify({
    version: '7.0',
    screens: [{ id: 'WELCOME', title: 'Welcome', terminal: true, layout: { type: 'SingleColumnLayout', children } }],
  }, undefined, 2);
}

/** The lifecycle operations whose Flow API calls `countFlowCalls` counts. */
export const LIFECYCLE_OPERATIONS = [
  'create', 'create-publish', 'metadata-update', 'json-update-draft', 'json-update-published', 'noop-update', 'delete-draft', 'delete-published',
] as const;
export type LifecycleOperation = (typeof LIFECYCLE_OPERATIONS)[number];

export interface FlowCallCounts {
  readonly operation: LifecycleOperation;
  /** Whether the handler succeeded. */
  readonly ok: boolean;
  /** State-changing Flow API calls of the operation alone, per API operation. */
  readonly mutating: Record<string, number>;
  /** Flow API reads of the operation alone, per API operation (S3 not included). */
  readonly reads: Record<string, number>;
  readonly mutatingTotal: number;
  readonly readsTotal: number;
  /** S3 GetObject calls (the Flow JSON asset). */
  readonly s3Reads: number;
}

let countingFlows: Record<string, DeclaredFlow> | undefined;

function flowsToCount(): Record<string, DeclaredFlow> {
  const base = { flowName: 'counted', categories: [FlowCategory.OTHER], json: flowJson('v1') };
  countingFlows ??= synthesizeFlows({
    draft: base,
    published: { ...base, publish: true },
    renamed: { ...base, flowName: 'counted-renamed', categories: [FlowCategory.OTHER, FlowCategory.SURVEY] },
    newJson: { ...base, json: flowJson('v2') },
    newJsonPublished: { ...base, json: flowJson('v2'), publish: true },
    // Only the removal policy changes: CloudFormation sends an Update that asks nothing of the Flow.
    retained: { ...base, removalPolicy: RemovalPolicy.RETAIN },
  });
  return countingFlows;
}

/** The stack before the operation, and the operation itself. */
const PLANS: Record<LifecycleOperation, [string | undefined, string | 'destroy']> = {
  'create': [undefined, 'draft'],
  'create-publish': [undefined, 'published'],
  'metadata-update': ['draft', 'renamed'],
  'json-update-draft': ['draft', 'newJson'],
  'json-update-published': ['published', 'newJsonPublished'],
  'noop-update': ['draft', 'retained'],
  'delete-draft': ['draft', 'destroy'],
  'delete-published': ['published', 'destroy'],
};

/**
 * Runs one lifecycle operation through the shipped handler against a fresh double, with no faults,
 * and counts the Flow API calls of that operation alone (the set-up's calls are not counted).
 */
export async function countFlowCalls(operation: LifecycleOperation): Promise<FlowCallCounts> {
  const flows = flowsToCount();
  const double = await startSocialMessagingDouble();
  const handler = new HandlerFunction(double.endpoint);
  try {
    const stack = new FlowStack(double, handler);
    const [before, step] = PLANS[operation];
    if (before && !(await stack.deploy(flows[before])).ok) throw new Error(`set-up of ${operation} failed`);
    double.calls.clear();
    const ok = step === 'destroy' ? (await stack.destroy())!.ok : (await stack.deploy(flows[step])).ok;
    const tally = (calls: Array<{ operation: string }>) => {
      const out: Record<string, number> = {};
      for (const c of calls) out[c.operation] = (out[c.operation] ?? 0) + 1;
      return out;
    };
    const reads = double.calls.reads().filter(c => c.operation !== 'GetObject');
    return {
      operation,
      ok,
      mutating: tally(double.calls.mutating()),
      reads: tally(reads),
      mutatingTotal: double.calls.mutating().length,
      readsTotal: reads.length,
      s3Reads: double.calls.count('GetObject'),
    };
  } finally {
    await handler.close();
    await double.stop();
  }
}
