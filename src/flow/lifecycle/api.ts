import {
  CreateWhatsAppFlowCommand,
  CreateWhatsAppFlowOutput,
  DeleteWhatsAppFlowCommand,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  ListWhatsAppFlowAssetsCommand,
  ListWhatsAppFlowsCommand,
  MetaFlowSummary,
  PublishWhatsAppFlowCommand,
  SocialMessagingClient,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
} from '@aws-sdk/client-socialmessaging';
import { FlowAttribute, FlowAttributes } from '../contract';
import { JsonSource, MetadataChanges } from './desired';
import { InvocationBudget, RetryScope, withinBudget } from '../../provider/budget';
import { readFirstAfterLostAnswer, sameSet } from '../../provider/converge';
import { isRetryable, mayHaveApplied, RetryBudgetExhausted } from '../../provider/retry';
import {
  CreateWhatsAppFlowWithEndpointCommand,
  CreateWhatsAppFlowWithEndpointInput,
  UpdateWhatsAppFlowWithEndpointCommand,
  UpdateWhatsAppFlowWithEndpointInput,
} from '../../provider/social-messaging-extension';

/** What the Provider framework expects back from `onEvent`. */
export interface FlowHandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Partial<FlowAttributes>;
}

export interface LifecycleDependencies extends InvocationBudget {
  readonly socialMessaging: SocialMessagingClient;
  /** Reads the Flow JSON asset's bytes. */
  readonly readFlowJson: (bucket: string, key: string) => Promise<Uint8Array>;
  /** Downloads a Flow JSON asset from the URL that ListWhatsAppFlowAssets gives. */
  readonly downloadFlowJson: (url: string) => Promise<Uint8Array>;
  /**
   * Whether CloudFormation is rolling the stack back: an Update then restores the previous properties. A retryable
   * error is retried within the budget.
   */
  readonly isRollingBack: (stackId: string) => Promise<boolean>;
}

/** The Flow operations that change something at Meta. */
const MUTATING = new Set(['CreateWhatsAppFlow', 'UpdateWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow',
  'DeprecateWhatsAppFlow', 'DeleteWhatsAppFlow']);

/** Statuses in which customers can open the Flow: new Flow JSON takes it off the air until it is published again. */
export const LIVE_STATUSES = ['PUBLISHED', 'THROTTLED'];

/** A Flow as Meta reports it (GetWhatsAppFlow). A field Meta leaves out is undefined. */
export interface ObservedFlow {
  readonly status: string;
  readonly previewUrl: string;
  readonly name?: string;
  readonly categories?: string[];
  readonly endpointUri?: string;
  readonly metaAppId?: string;
  readonly validationErrors?: string[];
}

export function isNotFound(error: unknown): boolean {
  return (error as Error)?.name === 'ResourceNotFoundException';
}

export function errorName(error: unknown): string {
  return (error as Error)?.name ?? 'Error';
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

export function flowResponse(flowId: string, status: string, previewUrl: string): FlowHandlerResponse {
  return {
    PhysicalResourceId: flowId,
    Data: {
      [FlowAttribute.FLOW_ID]: flowId,
      [FlowAttribute.FLOW_STATUS]: status,
      [FlowAttribute.PREVIEW_URL]: previewUrl,
    },
  };
}

/**
 * Every request the Flow lifecycle makes, each within the invocation's budget. A mutating request whose answer
 * may have been lost is retried only after a read shows that its edit is not there yet (rule 14).
 */
export class FlowApi {
  /**
   * Whether a mutating call of this invocation was applied, or may have been (its answer lost): an operation is
   * handed over to wait for the rate limit only while this is false.
   */
  public mutated = false;

  constructor(readonly deps: LifecycleDependencies) {}

  public log(message: string): void {
    this.deps.log(message);
  }

  public readJson(source: JsonSource): Promise<Uint8Array> {
    return this.deps.readFlowJson(source.bucket, source.key);
  }

  /** CreateWhatsAppFlow, once; the client's own command unless an endpoint needs the extension. */
  public createOnce(input: CreateWhatsAppFlowWithEndpointInput): Promise<CreateWhatsAppFlowOutput> {
    const client = this.deps.socialMessaging;
    if (input.endpointUri) return client.send(new CreateWhatsAppFlowWithEndpointCommand(input));
    const { endpointUri, ...plain } = input;
    return client.send(new CreateWhatsAppFlowCommand(plain));
  }

  /** One read for what Meta holds: status, metadata, and the preview URL (the preview call only when the Flow lacks one). */
  public async describe(wabaId: string, flowId: string, withPreview = true, cleanup: RetryScope | boolean = false): Promise<ObservedFlow> {
    const flow = await this.call('GetWhatsAppFlow', () => this.deps.socialMessaging.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId })), cleanup);
    let previewUrl = flow.preview?.previewUrl;
    if (withPreview && !previewUrl) {
      // Only the attribute needs it: given up early, so that the budget stays with the writes.
      const preview = await this.call('GetWhatsAppFlowPreview',
        () => this.deps.socialMessaging.send(new GetWhatsAppFlowPreviewCommand({ id: wabaId, flowId })), 'attribute')
        .catch((error) => {
          this.log(`no preview URL for Flow ${flowId}: ${errorName(error)}`);
          return undefined;
        });
      previewUrl = preview?.preview?.previewUrl;
    }
    return {
      status: flow.flowStatus ?? 'DRAFT',
      previewUrl: previewUrl ?? '',
      name: flow.flowName,
      categories: flow.categories,
      endpointUri: flow.endpointUri,
      metaAppId: flow.application?.id,
      validationErrors: flow.validationErrors,
    };
  }

  /** The Flow JSON the Flow holds now (ListWhatsAppFlowAssets and its download); undefined when it has none. */
  public async currentJson(wabaId: string, flowId: string, cleanup = false): Promise<Uint8Array | undefined> {
    const assets = await this.call('ListWhatsAppFlowAssets',
      () => this.deps.socialMessaging.send(new ListWhatsAppFlowAssetsCommand({ id: wabaId, flowId })), cleanup);
    const asset = assets.flowAssets?.find((a) => a.assetType === 'FLOW_JSON' && a.downloadUrl);
    return asset ? this.deps.downloadFlowJson(asset.downloadUrl!) : undefined;
  }

  /** UpdateWhatsAppFlow with what differs: name, categories, endpoint, app. */
  public async updateMetadata(wabaId: string, flowId: string, changes: MetadataChanges, cleanup = false): Promise<void> {
    const input: UpdateWhatsAppFlowWithEndpointInput = { id: wabaId, flowId, ...changes };
    const client = this.deps.socialMessaging;
    await this.call('UpdateWhatsAppFlow', readFirstAfterLostAnswer(async () => {
      if (input.endpointUri || input.metaAppId) {
        await client.send(new UpdateWhatsAppFlowWithEndpointCommand(input));
        return true;
      }
      const { endpointUri, metaAppId, ...plain } = input;
      await client.send(new UpdateWhatsAppFlowCommand(plain));
      return true;
    }, () => this.ifRead(async () => {
      const flow = await this.describe(wabaId, flowId, false, cleanup);
      const applied = (changes.flowName === undefined || flow.name === changes.flowName)
        && (changes.categories === undefined || (flow.categories !== undefined && sameSet(flow.categories, changes.categories)))
        && (changes.endpointUri === undefined || flow.endpointUri === changes.endpointUri)
        && (changes.metaAppId === undefined || flow.metaAppId === changes.metaAppId);
      if (applied) this.log(`UpdateWhatsAppFlow: its answer was lost, and Flow ${flowId} already has the change`);
      return applied || undefined;
    })), cleanup);
    const changed = Object.entries(changes).filter(([, value]) => value !== undefined).map(([name]) => name);
    this.log(`updated ${changed.join(', ')} of Flow ${flowId}`);
  }

  /** UpdateWhatsAppFlowAssets: Meta's validation errors (empty when it accepts the JSON). */
  public async pushJson(wabaId: string, flowId: string, flowJson: Uint8Array, cleanup = false): Promise<string[]> {
    const updated = await this.call('UpdateWhatsAppFlowAssets', readFirstAfterLostAnswer<{ validationErrors?: string[] }>(
      () => this.deps.socialMessaging.send(new UpdateWhatsAppFlowAssetsCommand({ id: wabaId, flowId, flowJson })),
      () => this.ifRead(async () => {
        if (!sameBytes(await this.currentJson(wabaId, flowId, cleanup), flowJson)) return undefined;
        this.log(`UpdateWhatsAppFlowAssets: its answer was lost, and Flow ${flowId} already holds the Flow JSON`);
        return { validationErrors: (await this.describe(wabaId, flowId, false, cleanup)).validationErrors ?? [] };
      })), cleanup);
    return updated.validationErrors ?? [];
  }

  /** PublishWhatsAppFlow; a Flow already PUBLISHED (by an attempt whose answer was lost) is a success. */
  public publish(wabaId: string, flowId: string, cleanup = false): Promise<void> {
    return this.reaching('PUBLISHED', wabaId, flowId, 'PublishWhatsAppFlow',
      () => this.deps.socialMessaging.send(new PublishWhatsAppFlowCommand({ id: wabaId, flowId })), cleanup);
  }

  /** DeprecateWhatsAppFlow; a Flow already DEPRECATED is a success. */
  public deprecate(wabaId: string, flowId: string, cleanup = false): Promise<void> {
    return this.reaching('DEPRECATED', wabaId, flowId, 'DeprecateWhatsAppFlow',
      () => this.deps.socialMessaging.send(new DeprecateWhatsAppFlowCommand({ id: wabaId, flowId })), cleanup);
  }

  /** DeleteWhatsAppFlow (drafts only). */
  public async deleteDraft(wabaId: string, flowId: string, cleanup = false): Promise<void> {
    await this.call('DeleteWhatsAppFlow', () => this.deps.socialMessaging.send(new DeleteWhatsAppFlowCommand({ id: wabaId, flowId })), cleanup);
  }

  /** A WABA's Flow of this name, deprecated ones included (they may keep their name). */
  public async findByName(wabaId: string, flowName: string): Promise<MetaFlowSummary | undefined> {
    let nextToken: string | undefined;
    let deprecated: MetaFlowSummary | undefined;
    do {
      const page = await this.call('ListWhatsAppFlows',
        () => this.deps.socialMessaging.send(new ListWhatsAppFlowsCommand({ id: wabaId, nextToken })), true);
      for (const flow of page.flows ?? []) {
        if (flow.flowName !== flowName) continue;
        if (flow.flowStatus !== 'DEPRECATED') return flow;
        deprecated ??= flow;
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return deprecated;
  }

  /**
   * Whether CloudFormation is rolling the stack back (DescribeStacks), retried within the budget: a rollback must
   * not be taken for a forward Update because CloudFormation was busy. When it cannot be told, it is taken as not.
   */
  public async rollingBack(stackId: string): Promise<boolean> {
    return this.call('DescribeStacks', () => this.deps.isRollingBack(stackId)).catch((error) => {
      this.log(`could not read the stack's status (${errorName(error)})`);
      return false;
    });
  }

  /**
   * Whether the Flow is in this WABA. A changed WABA is a replacement, except when CloudFormation rolls a
   * replacement back: the physical id is then the original Flow, already in the WABA it asks for.
   */
  public async existsIn(wabaId: string, flowId: string): Promise<boolean> {
    try {
      await this.call('GetWhatsAppFlow', () => this.deps.socialMessaging.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId })));
      return true;
    } catch (error) {
      if (isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      return false;
    }
  }

  /**
   * Sends one request, retrying retryable errors. The main work stops short of the deadline to leave time for
   * cleanup; cleanup itself may use all of it.
   */
  public call<Output>(operation: string, send: () => Promise<Output>, cleanup: RetryScope | boolean = false): Promise<Output> {
    if (!MUTATING.has(operation)) return withinBudget(operation, send, this.deps, cleanup);
    return withinBudget(operation, async () => {
      try {
        const output = await send();
        this.mutated = true;
        return output;
      } catch (error) {
        if (mayHaveApplied(error)) this.mutated = true;
        throw error;
      }
    }, this.deps, cleanup);
  }

  /**
   * Publish and deprecate are one-way: after a lost answer the retry first reads the status, and a retry refused
   * because an earlier attempt got through finds the Flow already where it should be.
   */
  private async reaching(target: string, wabaId: string, flowId: string, operation: string, send: () => Promise<unknown>,
    cleanup: boolean): Promise<void> {
    const reached = () => this.ifRead(async () => (await this.describe(wabaId, flowId, false, cleanup)).status === target || undefined);
    try {
      await this.call(operation, readFirstAfterLostAnswer(send, async () => {
        const done = await reached();
        if (done) this.log(`${operation}: its answer was lost, and Flow ${flowId} is already ${target}`);
        return done;
      }), cleanup);
    } catch (error) {
      if (error instanceof RetryBudgetExhausted) throw error;
      if (!(await reached().catch(() => undefined))) throw error;
      this.log(`${operation}: Flow ${flowId} is already ${target}`);
    }
  }

  /** A read for a lost answer: a retryable failure is retried with the request; any other means "cannot tell". */
  private async ifRead<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (isRetryable(error)) throw error;
      return undefined;
    }
  }
}
