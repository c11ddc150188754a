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
}

export const OPERATION_TARGETS: OperationTarget[] = [
  { operation: 'create', name: 'create', minimum: { CreateWhatsAppFlow: 1 } },
  { operation: 'create-publish', name: 'create and publish', minimum: { CreateWhatsAppFlow: 1 } },
  { operation: 'metadata-update', name: 'metadata update', minimum: { UpdateWhatsAppFlow: 1 } },
  { operation: 'json-update-draft', name: 'JSON update on a draft', minimum: { UpdateWhatsAppFlowAssets: 1 } },
  { operation: 'json-update-published', name: 'JSON update on a published Flow', minimum: { UpdateWhatsAppFlowAssets: 1, PublishWhatsAppFlow: 1 } },
  { operation: 'noop-update', name: 'no-op update', minimum: {} },
  { operation: 'delete-draft', name: 'delete draft', minimum: { DeleteWhatsAppFlow: 1 } },
  { operation: 'delete-published', name: 'delete published', minimum: { DeprecateWhatsAppFlow: 1 } },
];

/** At most one read per operation, for the Flow's status and attributes. */
export const MAX_READS = 1;

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

/** Succeeded with exactly the minimum mutating calls, at most one read and no list. */
export function atMinimum(result: OperationCalls): boolean {
  const sorted = (calls: Record<string, number>) => JSON.stringify(Object.entries(calls).sort());
  return result.ok && sorted(result.mutating) === sorted(result.target.minimum)
    && result.readsTotal <= MAX_READS && result.lists === 0;
}
