import {
  CreateWhatsAppFlowCommand,
  DeleteWhatsAppFlowCommand,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  ListWhatsAppFlowsCommand,
  MetaFlowCategory,
  MetaFlowSummary,
  PublishWhatsAppFlowCommand,
  SocialMessagingClient,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
} from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FlowAttribute, FlowAttributes, FlowRemovalPolicy, FlowResourceProperties } from './contract';
import { FlowFailure, rejectedFlowJson } from '../provider/failure';
import { mayHaveApplied, RetryBudgetExhausted, withRetry } from '../provider/retry';
import { wabaIdOf } from '../provider/waba';

/** What the Provider framework expects back from `onEvent`. */
export interface FlowHandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Partial<FlowAttributes>;
}

export interface LifecycleDependencies {
  readonly socialMessaging: SocialMessagingClient;
  /** Reads the Flow JSON asset's bytes. */
  readonly readFlowJson: (bucket: string, key: string) => Promise<Uint8Array>;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  readonly log: (message: string) => void;
  /** @default 500 */
  readonly retryBaseDelayMs?: number;
}

/** The Provider framework's physical id for a Create that failed before it had one. */
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** Time kept back from the main work so that a failed Create can still clean up after itself. */
const CLEANUP_RESERVE_MS = 30_000;

interface DesiredFlow {
  readonly wabaId: string;
  readonly flowName: string;
  readonly categories: MetaFlowCategory[];
  readonly json?: { readonly bucket: string; readonly key: string };
  readonly publish: boolean;
  readonly cloneFlowId?: string;
  readonly removalPolicy: FlowRemovalPolicy;
}

interface MetadataChanges {
  readonly flowName?: string;
  readonly categories?: MetaFlowCategory[];
}

function desiredFlow(properties: FlowResourceProperties): DesiredFlow {
  return {
    wabaId: wabaIdOf(properties.WhatsAppBusinessAccountId),
    flowName: properties.FlowName,
    categories: (properties.Categories ?? []) as MetaFlowCategory[],
    json: properties.FlowJsonBucket && properties.FlowJsonKey
      ? { bucket: properties.FlowJsonBucket, key: properties.FlowJsonKey }
      : undefined,
    publish: String(properties.Publish) === 'true',
    cloneFlowId: properties.CloneFlowId || undefined,
    removalPolicy: properties.RemovalPolicy === 'retain' ? 'retain' : 'destroy',
  };
}

function sameCategories(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function isNotFound(error: unknown): boolean {
  return (error as Error)?.name === 'ResourceNotFoundException';
}

/** Creates, converges and retires one WhatsApp Flow per CloudFormation event. */
export class FlowLifecycle {
  constructor(private readonly deps: LifecycleDependencies) {}

  public async handle(event: CloudFormationCustomResourceEvent): Promise<FlowHandlerResponse> {
    const desired = desiredFlow(event.ResourceProperties as unknown as FlowResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        this.deps.log(`Create: Flow '${desired.flowName}' in ${desired.wabaId}`);
        return this.create(desired);
      case 'Update':
        this.deps.log(`Update: Flow ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return this.update(event.PhysicalResourceId, desired,
          desiredFlow(event.OldResourceProperties as unknown as FlowResourceProperties));
      case 'Delete':
        this.deps.log(`Delete: Flow ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return this.delete(event.PhysicalResourceId, desired);
    }
  }

  private async create(desired: DesiredFlow): Promise<FlowHandlerResponse> {
    const flowJson = desired.json ? await this.readJson(desired) : undefined;
    let created;
    // A Create that failed with a retryable error may still have made the Flow (its response was lost).
    let attemptMayHaveApplied = false;
    try {
      created = await this.call('CreateWhatsAppFlow', (client) => client.send(new CreateWhatsAppFlowCommand({
        id: desired.wabaId,
        flowName: desired.flowName,
        categories: desired.categories,
        flowJson,
        publish: desired.publish || undefined,
        cloneFlowId: desired.cloneFlowId,
      })).catch((error) => {
        attemptMayHaveApplied ||= mayHaveApplied(error);
        throw error;
      }));
    } catch (error) {
      return this.recoverFailedCreate(desired, error, attemptMayHaveApplied);
    }
    const flowId = created.flowId;
    if (!flowId) throw new FlowFailure(`CreateWhatsAppFlow returned no flow id for '${desired.flowName}'. Deploy again.`);
    this.deps.log(`created Flow ${flowId} '${desired.flowName}'`);
    try {
      if (created.validationErrors?.length) throw rejectedFlowJson(desired.flowName, created.validationErrors);
      const flow = await this.describe(desired.wabaId, flowId);
      this.deps.log(`Flow ${flowId} is ${flow.status}`);
      return this.response(flowId, flow.status, flow.previewUrl);
    } catch (error) {
      // CloudFormation sends no Delete for a failed Create: whatever this Create made goes now.
      await this.removeAfterFailedCreate(desired.wabaId, flowId);
      throw error;
    }
  }

  /**
   * A Create can fail after Meta made the Flow: the event was delivered twice, or a response was lost.
   * Flow names are unique in a WABA, so the name finds it. A Flow that one of this invocation's own attempts
   * made is removed if the Create still fails; one found otherwise (a repeated delivery) is never removed.
   */
  private async recoverFailedCreate(desired: DesiredFlow, error: unknown, madeByThisCreate: boolean): Promise<FlowHandlerResponse> {
    const existing = await this.findByName(desired).catch(() => undefined);
    if (!existing?.flowId) throw error;
    if (error instanceof RetryBudgetExhausted) {
      // Retries ran out, yet one attempt got through: remove it so the failure leaves nothing behind.
      if (madeByThisCreate) await this.removeAfterFailedCreate(desired.wabaId, existing.flowId);
      throw error;
    }
    this.deps.log(`Flow '${desired.flowName}' already exists as ${existing.flowId} (${existing.flowStatus}): `
      + 'adopting it (a repeated Create, or a Flow made outside this stack)');
    const status = existing.flowStatus ?? 'DRAFT';
    const isDraft = status === 'DRAFT';
    try {
      const flow = await this.describe(desired.wabaId, existing.flowId);
      return await this.converge(existing.flowId, desired, { status, previewUrl: flow.previewUrl }, {
        categories: isDraft && !sameCategories(existing.flowCategories ?? [], desired.categories) ? desired.categories : undefined,
      }, isDraft && desired.json !== undefined);
    } catch (convergeError) {
      if (madeByThisCreate) await this.removeAfterFailedCreate(desired.wabaId, existing.flowId);
      throw convergeError;
    }
  }

  private async findByName(desired: DesiredFlow): Promise<MetaFlowSummary | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListWhatsAppFlows', (client) => client.send(new ListWhatsAppFlowsCommand({ id: desired.wabaId, nextToken })), true);
      const match = page.flows?.find((flow) => flow.flowName === desired.flowName && flow.flowStatus !== 'DEPRECATED');
      if (match) return match;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  private async removeAfterFailedCreate(wabaId: string, flowId: string): Promise<void> {
    try {
      await this.call('DeleteWhatsAppFlow', (client) => client.send(new DeleteWhatsAppFlowCommand({ id: wabaId, flowId })), true);
      this.deps.log(`deleted Flow ${flowId} made by the failed Create`);
    } catch (deleteError) {
      if (isNotFound(deleteError)) return;
      // Not a draft any more (published with the Create): deprecate is the only way out.
      try {
        await this.call('DeprecateWhatsAppFlow', (client) => client.send(new DeprecateWhatsAppFlowCommand({ id: wabaId, flowId })), true);
        this.deps.log(`deprecated Flow ${flowId} made by the failed Create`);
      } catch (deprecateError) {
        this.deps.log(`could not remove Flow ${flowId} made by the failed Create: ${(deprecateError as Error).name}`);
      }
    }
  }

  private async update(flowId: string, desired: DesiredFlow, previous: DesiredFlow): Promise<FlowHandlerResponse> {
    if (desired.wabaId !== previous.wabaId) {
      this.deps.log(`WhatsApp Business Account changed from ${previous.wabaId}: replacing Flow ${flowId}`);
      return this.create(desired);
    }
    if (desired.cloneFlowId !== previous.cloneFlowId) {
      this.deps.log('cloneFlowId is read at creation only; its change has no effect on an existing Flow');
    }
    let flow;
    try {
      flow = await this.describe(desired.wabaId, flowId);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new FlowFailure(`Flow ${flowId} no longer exists in ${desired.wabaId}: it was deleted outside this stack. `
        + 'Give the WhatsAppFlow construct a new id so that a new Flow is created.');
    }
    const jsonChanged = desired.json !== undefined
      && (desired.json.bucket !== previous.json?.bucket || desired.json.key !== previous.json?.key);
    return this.converge(flowId, desired, flow, {
      flowName: desired.flowName !== previous.flowName ? desired.flowName : undefined,
      categories: sameCategories(desired.categories, previous.categories) ? undefined : desired.categories,
    }, jsonChanged);
  }

  /** Brings an existing Flow to the declared state: metadata, then JSON, then publish, last. */
  private async converge(
    flowId: string,
    desired: DesiredFlow,
    flow: { status: string; previewUrl: string },
    metadata: MetadataChanges,
    pushJson: boolean,
  ): Promise<FlowHandlerResponse> {
    let status = flow.status;
    const changesSomething = metadata.flowName !== undefined || metadata.categories !== undefined || pushJson;
    if (changesSomething && status === 'DEPRECATED') {
      throw new FlowFailure(`Flow ${flowId} is DEPRECATED and cannot be changed (deprecation cannot be undone). `
        + 'Give the WhatsAppFlow construct a new id and flowName so that a new Flow is created.');
    }
    if (metadata.flowName !== undefined || metadata.categories !== undefined) {
      await this.call('UpdateWhatsAppFlow', (client) => client.send(new UpdateWhatsAppFlowCommand({
        id: desired.wabaId, flowId, flowName: metadata.flowName, categories: metadata.categories,
      })));
      this.deps.log(`updated name or categories of Flow ${flowId}`);
    }
    if (pushJson) {
      const flowJson = await this.readJson(desired);
      const updated = await this.call('UpdateWhatsAppFlowAssets', (client) => client.send(new UpdateWhatsAppFlowAssetsCommand({
        id: desired.wabaId, flowId, flowJson,
      })));
      if (updated.validationErrors?.length) throw rejectedFlowJson(desired.flowName, updated.validationErrors);
      this.deps.log(`updated Flow JSON of Flow ${flowId}`);
      if (status === 'PUBLISHED') {
        status = 'DRAFT';
        this.deps.log(`Flow ${flowId}: PUBLISHED -> DRAFT (new Flow JSON)`);
      }
    }
    if (desired.publish && status === 'DRAFT') {
      await this.callReaching('PUBLISHED', desired.wabaId, flowId, 'PublishWhatsAppFlow',
        (client) => client.send(new PublishWhatsAppFlowCommand({ id: desired.wabaId, flowId })));
      this.deps.log(`Flow ${flowId}: DRAFT -> PUBLISHED`);
      status = 'PUBLISHED';
    } else if (desired.publish && status !== 'PUBLISHED') {
      this.deps.log(`Flow ${flowId} is ${status}: not published`);
    } else if (!desired.publish && status === 'PUBLISHED') {
      this.deps.log(`Flow ${flowId} stays PUBLISHED: publishing cannot be undone`);
    }
    return this.response(flowId, status, flow.previewUrl);
  }

  private async delete(flowId: string, desired: DesiredFlow): Promise<FlowHandlerResponse> {
    const gone = { PhysicalResourceId: flowId, Data: {} };
    if (desired.removalPolicy === 'retain') {
      this.deps.log(`Flow ${flowId} retained (removal policy RETAIN)`);
      return gone;
    }
    if (flowId === CREATE_FAILED_MARKER) return gone;
    let status: string;
    try {
      status = (await this.describe(desired.wabaId, flowId, false)).status;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.deps.log(`Flow ${flowId} is already gone`);
      return gone;
    }
    try {
      if (status === 'DRAFT') {
        await this.call('DeleteWhatsAppFlow', (client) => client.send(new DeleteWhatsAppFlowCommand({ id: desired.wabaId, flowId })));
        this.deps.log(`Flow ${flowId}: DRAFT -> deleted`);
      } else if (status === 'PUBLISHED') {
        await this.callReaching('DEPRECATED', desired.wabaId, flowId, 'DeprecateWhatsAppFlow',
          (client) => client.send(new DeprecateWhatsAppFlowCommand({ id: desired.wabaId, flowId })));
        this.deps.log(`Flow ${flowId}: PUBLISHED -> DEPRECATED`);
      } else if (status === 'DEPRECATED') {
        this.deps.log(`Flow ${flowId} is already DEPRECATED`);
      } else {
        this.deps.log(`Flow ${flowId} is ${status}: only drafts can be deleted and only published Flows deprecated, `
          + 'so it is left as it is; retire it in WhatsApp Manager');
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.deps.log(`Flow ${flowId} is already gone`);
    }
    return gone;
  }

  /**
   * Publish and deprecate are one-way: when a retried attempt is refused because an earlier attempt got through
   * (its response was lost), the Flow is already where it should be.
   */
  private async callReaching<Output>(
    target: string,
    wabaId: string,
    flowId: string,
    operation: string,
    send: (client: SocialMessagingClient) => Promise<Output>,
  ): Promise<void> {
    try {
      await this.call(operation, send);
    } catch (error) {
      if (error instanceof RetryBudgetExhausted) throw error;
      const status = await this.describe(wabaId, flowId, false).then((flow) => flow.status, () => undefined);
      if (status !== target) throw error;
      this.deps.log(`${operation}: Flow ${flowId} is already ${target}`);
    }
  }

  /** One read for the status and the preview URL (the preview call only when the Flow lacks one). */
  private async describe(wabaId: string, flowId: string, withPreview = true): Promise<{ status: string; previewUrl: string }> {
    const flow = await this.call('GetWhatsAppFlow', (client) => client.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId })));
    let previewUrl = flow.preview?.previewUrl;
    if (withPreview && !previewUrl) {
      const preview = await this.call('GetWhatsAppFlowPreview', (client) => client.send(new GetWhatsAppFlowPreviewCommand({ id: wabaId, flowId })))
        .catch((error) => {
          this.deps.log(`no preview URL for Flow ${flowId}: ${(error as Error).name}`);
          return undefined;
        });
      previewUrl = preview?.preview?.previewUrl;
    }
    return { status: flow.flowStatus ?? 'DRAFT', previewUrl: previewUrl ?? '' };
  }

  private response(flowId: string, status: string, previewUrl: string): FlowHandlerResponse {
    return {
      PhysicalResourceId: flowId,
      Data: {
        [FlowAttribute.FLOW_ID]: flowId,
        [FlowAttribute.FLOW_STATUS]: status,
        [FlowAttribute.PREVIEW_URL]: previewUrl,
      },
    };
  }

  private async readJson(desired: DesiredFlow): Promise<Uint8Array> {
    return this.deps.readFlowJson(desired.json!.bucket, desired.json!.key);
  }

  /**
   * Sends one command, retrying retryable errors. The main work stops short of the deadline to leave
   * time for cleanup; cleanup itself may use all of it.
   */
  private call<Output>(
    operation: string,
    send: (client: SocialMessagingClient) => Promise<Output>,
    cleanup = false,
  ): Promise<Output> {
    const reserve = cleanup ? 1_000 : Math.min(CLEANUP_RESERVE_MS, this.deps.remainingMs() / 4);
    return withRetry(operation, () => send(this.deps.socialMessaging), {
      remainingMs: () => this.deps.remainingMs() - reserve,
      baseDelayMs: this.deps.retryBaseDelayMs ?? 500,
      maxDelayMs: 10_000,
      log: this.deps.log,
    });
  }
}
