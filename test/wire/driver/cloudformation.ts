import { randomBytes, randomUUID } from 'crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { SocialMessagingDouble } from '../double';
import { HandlerFunction, HandlerResponse } from './handler';
import { ACCOUNT, DeclaredFlow, REGION } from './template';

/** The Provider framework's physical id for a Create that failed (its later Delete is never passed on). */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
/** CloudFormation's limit on the response body a custom resource PUTs. */
export const MAX_RESPONSE_BYTES = 4096;
const FRAMEWORK_FUNCTION = 'WireStack-WhatsAppFlowProviderframeworkonEvent';

/** The body the Provider framework PUTs to the ResponseURL (cfn-response.ts `submitResponse`). */
export interface ProviderResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface Invocation {
  readonly event: CloudFormationCustomResourceEvent;
  readonly ok: boolean;
  readonly result?: HandlerResponse;
  /** The handler's error message. */
  readonly error?: string;
  readonly response: ProviderResponse;
  readonly responseBytes: number;
  /** Everything the handler wrote to the console during this invocation. */
  readonly logs: string[];
  readonly ms: number;
  /** isComplete calls that answered IsComplete: false (the operation waited for the rate limit). */
  readonly waits?: number;
}

export interface DeployResult {
  readonly ok: boolean;
  /** The handler invocations, in order: the operation, then a cleanup Delete or a rollback. */
  readonly invocations: Invocation[];
  readonly rolledBack: boolean;
  /** Whether the rollback (if any) succeeded. */
  readonly rollbackOk?: boolean;
}

export interface StackOptions {
  /** Milliseconds the fake Lambda context grants each invocation. @default 60000 */
  readonly budgetMs?: number;
  /** @default 'Flow' */
  readonly logicalId?: string;
  /** The waiter's query interval. @default 10 */
  readonly queryIntervalMs?: number;
}

/** Delivers events to the handler as CloudFormation and the Provider framework do; keeps the responses. */
export class EventDelivery {
  public readonly invocations: Invocation[] = [];
  public readonly stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/WireStack/${randomUUID()}`;

  constructor(
    private readonly handler: HandlerFunction,
    private readonly budgetMs = 60_000,
    /** Where CloudFormation's DescribeStacks reads this stack's status from (the double's). */
    private readonly stackStatuses?: Map<string, string>,
    /** The waiter's query interval (the provider's is 10 s). */
    private readonly queryIntervalMs = 10,
    /** The waiter's total timeout. */
    private readonly totalTimeoutMs = 10 * 60_000,
  ) {}

  /** Every console line of every invocation so far. */
  get logs(): string[] {
    return this.invocations.flatMap(i => i.logs);
  }

  createEvent(logicalId: string, flow: DeclaredFlow): CloudFormationCustomResourceEvent {
    return { ...this.envelope(logicalId, flow), RequestType: 'Create' };
  }

  updateEvent(logicalId: string, physicalId: string, flow: DeclaredFlow, old: DeclaredFlow): CloudFormationCustomResourceEvent {
    return {
      ...this.envelope(logicalId, flow),
      RequestType: 'Update',
      PhysicalResourceId: physicalId,
      OldResourceProperties: structuredClone(old.properties) as { ServiceToken: string },
    };
  }

  deleteEvent(logicalId: string, physicalId: string, flow: DeclaredFlow): CloudFormationCustomResourceEvent {
    return { ...this.envelope(logicalId, flow), RequestType: 'Delete', PhysicalResourceId: physicalId };
  }

  /**
   * Runs the handler on one event, as the framework's onEvent would; the budget overrides the default.
   * `stackStatus` is what DescribeStacks says meanwhile (default: the request type's IN_PROGRESS status).
   */
  async invoke(event: CloudFormationCustomResourceEvent, budgetMs = this.budgetMs, stackStatus?: string): Promise<Invocation> {
    this.stackStatuses?.set(this.stackId, stackStatus ?? `${event.RequestType.toUpperCase()}_IN_PROGRESS`);
    if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER) {
      // The framework answers this Delete itself: the handler never sees it.
      const inv = { event, ok: true, response: this.response(event, 'SUCCESS', 'SUCCESS', event.PhysicalResourceId), logs: [], ms: 0 };
      return this.keep({ ...inv, responseBytes: bytes(inv.response) });
    }
    const started = Date.now();
    const outcome = await this.waitForCompletion(event, budgetMs);
    const { result, error, logs } = outcome;
    const physicalId = event.RequestType === 'Create' ? outcome.physicalId : event.PhysicalResourceId;
    const response = result
      ? this.response(event, 'SUCCESS', 'SUCCESS', result.PhysicalResourceId || physicalId || event.RequestId, result.Data)
      // The framework appends where the logs are; a failed Create answers with the marker, unless onEvent gave it
      // an id before (a Create that waited): then the Delete that follows reaches the handler with that id.
      : this.response(event, 'FAILED', `${error}\n\nLogs: /aws/lambda/${FRAMEWORK_FUNCTION}\n`, physicalId ?? CREATE_FAILED_MARKER);
    return this.keep({
      event, ok: !!result, result, error, response, responseBytes: bytes(response), logs, ms: Date.now() - started, waits: outcome.waits,
    });
  }

  /**
   * The Provider framework with an isComplete handler: onEvent, then isComplete at once and every query interval
   * with onEvent's answer merged into the event, until it answers IsComplete: true, throws, or the total timeout.
   */
  private async waitForCompletion(event: CloudFormationCustomResourceEvent, budgetMs: number) {
    const first = await this.handler.invoke(event, budgetMs);
    const logs = [...first.logs];
    if (!first.result) return { error: first.error, logs, waits: 0 };
    if (this.handler.legacy) return { result: first.result, logs, waits: 0 };
    const waiting = { ...event, ...first.result };
    const until = Date.now() + this.totalTimeoutMs;
    for (let waits = 0; ; waits++) {
      const next = await this.handler.invoke(waiting as unknown as CloudFormationCustomResourceEvent, budgetMs);
      logs.push(...next.logs);
      const answer = next.result as (HandlerResponse & { IsComplete?: boolean }) | undefined;
      if (!answer) return { error: next.error, logs, waits, physicalId: first.result.PhysicalResourceId };
      if (answer.IsComplete) {
        const physicalId = answer.PhysicalResourceId || first.result.PhysicalResourceId;
        const result = { PhysicalResourceId: physicalId, Data: { ...first.result.Data, ...answer.Data } };
        return { result, logs, waits };
      }
      if (Date.now() >= until) return { error: 'Operation timed out', logs, waits, physicalId: first.result.PhysicalResourceId };
      await new Promise((resolve) => setTimeout(resolve, this.queryIntervalMs));
    }
  }

  private keep(inv: Invocation): Invocation {
    this.invocations.push(inv);
    return inv;
  }

  private envelope(logicalId: string, flow: DeclaredFlow) {
    const requestId = randomUUID();
    const token = String(flow.properties.ServiceToken);
    return {
      ServiceToken: token,
      // The framework hands its handler '...' here; the real URL's shape is stricter: a log that leaks it is caught.
      ResponseURL: `https://cloudformation-custom-resource-response-${REGION.replace(/-/g, '')}.s3.amazonaws.com/`
        + `${encodeURIComponent(`${this.stackId}|${logicalId}|${requestId}`)}?X-Amz-Algorithm=AWS4-HMAC-SHA256`
        + `&X-Amz-Date=20260101T000000Z&X-Amz-Expires=7200&X-Amz-Signature=${randomBytes(32).toString('hex')}`,
      StackId: this.stackId,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: flow.resourceType ?? 'Custom::WhatsAppFlow',
      ResourceProperties: structuredClone(flow.properties) as { ServiceToken: string },
    };
  }

  private response(event: CloudFormationCustomResourceEvent, status: ProviderResponse['Status'], reason: string,
    physicalId: string, data?: Record<string, string>): ProviderResponse {
    return {
      Status: status,
      Reason: reason,
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: data,
    };
  }
}

function bytes(response: ProviderResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

/**
 * One custom resource in a CloudFormation stack: deploy creates or updates it, a failed update rolls back,
 * a new physical id is a replacement whose old Flow CloudFormation deletes with the old properties.
 */
export class FlowStack {
  public readonly delivery: EventDelivery;
  /** The resource as CloudFormation knows it after the last operation. */
  public current?: { readonly physicalId: string; readonly flow: DeclaredFlow };
  private readonly logicalId: string;

  constructor(private readonly double: SocialMessagingDouble, handler: HandlerFunction, options: StackOptions = {}) {
    this.delivery = new EventDelivery(handler, options.budgetMs, double.stacks, options.queryIntervalMs);
    this.logicalId = options.logicalId ?? 'Flow';
  }

  /** `cdk deploy`: publish the asset, then Create or Update (with rollback or cleanup). */
  async deploy(flow: DeclaredFlow): Promise<DeployResult> {
    this.publishAsset(flow);
    const d = this.delivery;
    const before = this.current;
    if (!before) {
      const created = await d.invoke(d.createEvent(this.logicalId, flow));
      if (created.ok) {
        this.current = { physicalId: created.response.PhysicalResourceId, flow };
        return { ok: true, invocations: [created], rolledBack: false };
      }
      // CREATE_FAILED, then rollback: a Delete of the marker id, which the framework swallows.
      const rollback = await d.invoke(d.deleteEvent(this.logicalId, created.response.PhysicalResourceId, flow), undefined, 'ROLLBACK_IN_PROGRESS');
      return { ok: false, invocations: [created, rollback], rolledBack: true, rollbackOk: rollback.ok };
    }
    const updated = await d.invoke(d.updateEvent(this.logicalId, before.physicalId, flow, before.flow));
    if (updated.ok) {
      this.current = { physicalId: updated.response.PhysicalResourceId, flow };
      if (this.current.physicalId === before.physicalId) return { ok: true, invocations: [updated], rolledBack: false };
      // Replacement: in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS the old resource is deleted with its own properties.
      const cleanup = await this.cleanupDelete(before.physicalId, before.flow);
      return { ok: true, invocations: cleanup ? [updated, cleanup] : [updated], rolledBack: false };
    }
    const rollback = await this.rollBack(before, flow);
    return { ok: false, invocations: [updated, ...rollback], rolledBack: true, rollbackOk: rollback[0].ok };
  }

  /**
   * `cdk deploy` of a stack where another resource fails after this one was updated: CloudFormation rolls this
   * resource back too, with the properties swapped.
   */
  async deployThenRollBack(flow: DeclaredFlow): Promise<DeployResult> {
    const before = this.current;
    if (!before) throw new Error('deployThenRollBack needs a deployed stack');
    this.publishAsset(flow);
    const d = this.delivery;
    const updated = await d.invoke(d.updateEvent(this.logicalId, before.physicalId, flow, before.flow));
    if (!updated.ok) {
      const rollback = await this.rollBack(before, flow);
      return { ok: false, invocations: [updated, ...rollback], rolledBack: true, rollbackOk: rollback[0].ok };
    }
    const newId = updated.response.PhysicalResourceId;
    if (newId === before.physicalId) {
      const rollback = await this.rollBack(before, flow);
      return { ok: false, invocations: [updated, ...rollback], rolledBack: true, rollbackOk: rollback[0].ok };
    }
    // A replacement that succeeded: the old resource still stands (it is only deleted after a successful update).
    // The rollback is an Update of the new resource with the old properties; the id it answers with is the
    // resource's again, and the rollback's cleanup deletes the other one.
    const rollback = await d.invoke(d.updateEvent(this.logicalId, newId, before.flow, flow), undefined, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const invocations = [updated, rollback];
    if (rollback.ok) {
      const kept = rollback.response.PhysicalResourceId;
      this.current = { physicalId: kept, flow: before.flow };
      const cleanup = kept === newId ? await this.cleanupDelete(before.physicalId, before.flow, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')
        : await this.cleanupDelete(newId, flow, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      if (cleanup) invocations.push(cleanup);
    }
    return { ok: false, invocations, rolledBack: true, rollbackOk: rollback.ok };
  }

  /** UPDATE_ROLLBACK_IN_PROGRESS: the same physical id, the properties swapped. */
  private async rollBack(before: { physicalId: string; flow: DeclaredFlow }, failed: DeclaredFlow): Promise<Invocation[]> {
    const d = this.delivery;
    const physicalId = before.physicalId;
    const rollback = await d.invoke(d.updateEvent(this.logicalId, physicalId, before.flow, failed), undefined, 'UPDATE_ROLLBACK_IN_PROGRESS');
    if (!rollback.ok) return [rollback];
    this.current = { physicalId: rollback.response.PhysicalResourceId, flow: before.flow };
    if (rollback.response.PhysicalResourceId === physicalId) return [rollback];
    // A rollback that replaces: CloudFormation takes the new id; the rollback's cleanup deletes the old one.
    const cleanup = await this.cleanupDelete(physicalId, failed, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    return cleanup ? [rollback, cleanup] : [rollback];
  }

  /** The Delete of a replaced resource, unless its UpdateReplacePolicy retains it. */
  private async cleanupDelete(physicalId: string, flow: DeclaredFlow, status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'): Promise<Invocation | undefined> {
    if (flow.updateReplacePolicy === 'Retain') return undefined;
    return this.delivery.invoke(this.delivery.deleteEvent(this.logicalId, physicalId, flow), undefined, status);
  }

  /**
   * `cdk destroy` (or removing the resource from the stack): Delete with the current properties. A DeletionPolicy
   * of Retain sends nothing: the resource just leaves the stack.
   */
  async destroy(): Promise<Invocation | undefined> {
    if (!this.current) return undefined;
    if (this.current.flow.deletionPolicy === 'Retain') {
      this.current = undefined;
      return undefined;
    }
    const deleted = await this.delivery.invoke(this.delivery.deleteEvent(this.logicalId, this.current.physicalId, this.current.flow));
    if (deleted.ok) this.current = undefined;
    return deleted;
  }

  /** What `cdk deploy` does before CloudFormation runs: upload the Flow JSON asset. */
  publishAsset(flow: DeclaredFlow): void {
    if (flow.asset) this.double.s3.put(flow.asset.bucket, flow.asset.key, flow.asset.bytes);
  }
}
