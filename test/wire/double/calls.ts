/** Operations that change flow state; every other logged operation only reads. */
export const MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateWhatsAppFlow',
  'UpdateWhatsAppFlow',
  'UpdateWhatsAppFlowAssets',
  'PublishWhatsAppFlow',
  'DeprecateWhatsAppFlow',
  'DeleteWhatsAppFlow',
  'PutWhatsAppBusinessPublicKey',
  'CreateWhatsAppMessageTemplate',
  'UpdateWhatsAppMessageTemplate',
  'DeleteWhatsAppMessageTemplate',
]);

export interface CallRecord {
  /** SDK command name without `Command`, `GetObject` for S3, `DownloadFlowAsset` for asset URLs. */
  readonly operation: string;
  readonly wabaId?: string;
  /** The flow the call addressed; for a successful create, the new flow's id. */
  readonly flowId?: string;
  /** Date.now() when the request arrived. */
  readonly at: number;
  /** HTTP status sent back. */
  readonly status: number;
  /** Error name sent back, if any. */
  readonly error?: string;
  /** Set when the error came from fault injection; `after-apply` means the state did change; `hang`, no answer. */
  readonly fault?: 'before-apply' | 'after-apply' | 'hang';
  readonly mutating: boolean;
}

/** Every request the double answered, in arrival order. */
export class CallLog {
  private records: CallRecord[] = [];

  record(call: CallRecord): void {
    this.records.push(call);
  }

  /** All calls, or those of one operation. */
  all(operation?: string): CallRecord[] {
    return this.records.filter(c => operation === undefined || c.operation === operation);
  }

  count(operation?: string): number {
    return this.all(operation).length;
  }

  /** Calls per operation, e.g. `{ CreateWhatsAppFlow: 1, GetWhatsAppFlow: 3 }`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.records) out[c.operation] = (out[c.operation] ?? 0) + 1;
    return out;
  }

  mutating(): CallRecord[] {
    return this.records.filter(c => c.mutating);
  }

  reads(): CallRecord[] {
    return this.records.filter(c => !c.mutating);
  }

  clear(): void {
    this.records = [];
  }
}
