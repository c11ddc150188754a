/**
 * Flow API calls per lifecycle operation: the wire driver runs the shipped handler asset with
 * CloudFormation-like events against the local double of AWS End User Messaging Social, which counts the calls.
 */
import { countFlowCalls, FlowCallCounts, LifecycleOperation } from '../../test/wire/driver';

/** One lifecycle operation and the least it must change. */
export interface OperationTarget {
  readonly operation: LifecycleOperation;
  readonly name: string;
  /** The only mutating calls the operation needs, and how many of each. */
  readonly minimum: Record<string, number>;
  /**
   * The reads it may make: none where the answer of the mutating call already tells the state (a Create, a Delete:
   * issue 22), one where a decision needs it (an Update converges on what Meta reports).
   */
  readonly maxReads: number;
}

export const OPERATION_TARGETS: OperationTarget[] = [
  { operation: 'create', name: 'create', minimum: { CreateWhatsAppFlow: 1 }, maxReads: 0 },
  { operation: 'create-publish', name: 'create and publish', minimum: { CreateWhatsAppFlow: 1 }, maxReads: 0 },
  { operation: 'metadata-update', name: 'metadata update', minimum: { UpdateWhatsAppFlow: 1 }, maxReads: 1 },
  { operation: 'json-update-draft', name: 'JSON update on a draft', minimum: { UpdateWhatsAppFlowAssets: 1 }, maxReads: 1 },
  {
    operation: 'json-update-published',
    name: 'JSON update on a published Flow',
    minimum: { UpdateWhatsAppFlowAssets: 1, PublishWhatsAppFlow: 1 },
    maxReads: 1,
  },
  { operation: 'noop-update', name: 'no-op update', minimum: {}, maxReads: 1 },
  { operation: 'delete-draft', name: 'delete draft', minimum: { DeleteWhatsAppFlow: 1 }, maxReads: 0 },
  { operation: 'delete-published', name: 'delete published', minimum: { DeprecateWhatsAppFlow: 1 }, maxReads: 0 },
];

/** The most reads any operation may make: the Update's decision read (GetWhatsAppFlow). */
export const MAX_READS = Math.max(...OPERATION_TARGETS.map((t) => t.maxReads));

export interface OperationCalls extends FlowCallCounts {
  readonly target: OperationTarget;
  /** ListWhatsAppFlows calls: none on the normal path. */
  readonly lists: number;
}

/** Counts the Flow API calls of every operation, one fresh double each. */
export async function countLifecycleCalls(): Promise<OperationCalls[]> {
  const results: OperationCalls[] = [];
  for (const target of OPERATION_TARGETS) {
    const counts = await countFlowCalls(target.operation);
    results.push({ ...counts, target, lists: counts.reads.ListWhatsAppFlows ?? 0 });
  }
  return results;
}

/** Succeeded with exactly the minimum mutating calls, no more reads than its target and no list. */
export function atMinimum(result: OperationCalls): boolean {
  const sorted = (calls: Record<string, number>) => JSON.stringify(Object.entries(calls).sort());
  return result.ok && sorted(result.mutating) === sorted(result.target.minimum)
    && result.readsTotal <= result.target.maxReads && result.lists === 0;
}
