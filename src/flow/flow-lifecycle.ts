import {
  CreateWhatsAppFlowCommand,
  CreateWhatsAppFlowOutput,
  DeleteWhatsAppFlowCommand,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  ListWhatsAppFlowAssetsCommand,
  ListWhatsAppFlowsCommand,
  MetaFlowCategory,
  MetaFlowSummary,
  PublishWhatsAppFlowCommand,
  SocialMessagingClient,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
} from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FlowAttribute, FlowAttributes, FlowResourceProperties } from './contract';
import { CREATE_FAILED_MARKER, NOT_A_NAME_CONFLICT, withinBudget } from '../provider/budget';
import { FlowFailure, rejectedFlowJson } from '../provider/failure';
import { isRetryable, mayHaveApplied, RetryBudgetExhausted } from '../provider/retry';
import {
  CreateWhatsAppFlowWithEndpointCommand,
  CreateWhatsAppFlowWithEndpointInput,
  UpdateWhatsAppFlowWithEndpointCommand,
  UpdateWhatsAppFlowWithEndpointInput,
} from '../provider/social-messaging-extension';
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
  /** Downloads a Flow JSON asset from the URL that ListWhatsAppFlowAssets gives. */
  readonly downloadFlowJson: (url: string) => Promise<Uint8Array>;
  /** Whether CloudFormation is rolling the stack back: an Update then restores the previous properties. */
  readonly isRollingBack: (stackId: string) => Promise<boolean>;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  readonly log: (message: string) => void;
  /** @default 500 */
  readonly retryBaseDelayMs?: number;
}

/** Statuses in which customers can open the Flow: new Flow JSON takes it off the air until it is published again. */
const LIVE_STATUSES = ['PUBLISHED', 'THROTTLED'];

interface JsonSource { readonly bucket: string; readonly key: string }

interface DesiredFlow {
  readonly wabaId: string;
  readonly flowName: string;
  readonly categories: MetaFlowCategory[];
  readonly json?: JsonSource;
  readonly publish: boolean;
  readonly cloneFlowId?: string;
  readonly adoptExisting: boolean;
  readonly endpointUri?: string;
  readonly metaAppId?: string;
}

interface MetadataChanges {
  readonly flowName?: string;
  readonly categories?: MetaFlowCategory[];
  readonly endpointUri?: string;
  readonly metaAppId?: string;
}

const hasMetadataChanges = (m: MetadataChanges) => Object.values(m).some((value) => value !== undefined);

interface FlowState {
  readonly status: string;
  readonly previewUrl: string;
}

/** How a Flow that is now this resource's came to be. */
type CreateOutcome =
  /** Made by a Create call of this invocation, whose answer came back. */
  | { readonly kind: 'created'; readonly flowId: string; readonly validationErrors: string[] }
  /** Made by a Create call of this invocation whose answer was lost: proven by the name being free before it. */
  | { readonly kind: 'lost-answer'; readonly flow: MetaFlowSummary }
  /** Made elsewhere, and taken over because the construct says `adoptExistingFlow`. */
  | { readonly kind: 'adopted'; readonly flow: MetaFlowSummary };

const isTrue = (value: unknown) => String(value) === 'true';

function desiredFlow(properties: FlowResourceProperties): DesiredFlow {
  return {
    wabaId: wabaIdOf(properties.WhatsAppBusinessAccountId),
    flowName: properties.FlowName,
    categories: (properties.Categories ?? []) as MetaFlowCategory[],
    json: properties.FlowJsonBucket && properties.FlowJsonKey
      ? { bucket: properties.FlowJsonBucket, key: properties.FlowJsonKey }
      : undefined,
    publish: isTrue(properties.Publish),
    cloneFlowId: properties.CloneFlowId || undefined,
    adoptExisting: isTrue(properties.AdoptExistingFlow),
    endpointUri: properties.EndpointUri || undefined,
    metaAppId: properties.MetaAppId || undefined,
  };
}

function sameCategories(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function isNotFound(error: unknown): boolean {
  return (error as Error)?.name === 'ResourceNotFoundException';
}

function errorName(error: unknown): string {
  return (error as Error)?.name ?? 'Error';
}

/** The failure for a name that another Flow holds: which Flow, and both ways out. */
function nameTaken(desired: DesiredFlow, existing: MetaFlowSummary, why = ''): FlowFailure {
  const found = `A Flow named '${desired.flowName}' already exists in ${desired.wabaId}: id ${existing.flowId}, `
    + `status ${existing.flowStatus}.${why} It was left as it is.`;
  if (existing.flowStatus === 'DEPRECATED') {
    return new FlowFailure(`${found} A deprecated Flow keeps its name and can never change: choose another flowName.`);
  }
  return new FlowFailure(`${found} Either choose another flowName, or, if this stack should own that Flow, set `
    + 'adoptExistingFlow: true on the WhatsAppFlow and deploy again (the stack then updates it, and deletes or '
    + 'deprecates it when the Flow leaves the stack).');
}

/** CreateWhatsAppFlow; the client's own command unless an endpoint needs the extension (social-messaging-extension). */
function createFlowCall(client: SocialMessagingClient, input: CreateWhatsAppFlowWithEndpointInput): Promise<CreateWhatsAppFlowOutput> {
  if (input.endpointUri) return client.send(new CreateWhatsAppFlowWithEndpointCommand(input));
  const { endpointUri, ...plain } = input;
  return client.send(new CreateWhatsAppFlowCommand(plain));
}

/** UpdateWhatsAppFlow; the client's own command unless an endpoint or an app needs the extension. */
async function updateFlowCall(client: SocialMessagingClient, input: UpdateWhatsAppFlowWithEndpointInput): Promise<void> {
  if (input.endpointUri || input.metaAppId) {
    await client.send(new UpdateWhatsAppFlowWithEndpointCommand(input));
    return;
  }
  const { endpointUri, metaAppId, ...plain } = input;
  await client.send(new UpdateWhatsAppFlowCommand(plain));
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
          desiredFlow(event.OldResourceProperties as unknown as FlowResourceProperties), event.StackId);
      case 'Delete':
        this.deps.log(`Delete: Flow ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return this.delete(event.PhysicalResourceId, desired);
    }
  }

  private async create(desired: DesiredFlow): Promise<FlowHandlerResponse> {
    const flowJson = desired.json ? await this.readJson(desired.json) : undefined;
    const outcome = await this.createFlow(desired, flowJson);
    if (outcome.kind === 'adopted') return this.adopt(outcome.flow, desired);

    const flowId = outcome.kind === 'created' ? outcome.flowId : outcome.flow.flowId!;
    try {
      if (outcome.kind === 'created' && outcome.validationErrors.length) {
        throw rejectedFlowJson(desired.flowName, outcome.validationErrors);
      }
      if (desired.metaAppId) await this.updateMetadata(desired.wabaId, flowId, { metaAppId: desired.metaAppId });
      let flow: FlowState & { validationErrors?: string[] };
      try {
        flow = await this.describe(desired.wabaId, flowId);
      } catch (readError) {
        if (outcome.kind === 'lost-answer') throw readError;
        // A success stays a success: go on with what the Create call said rather than undo it.
        const status = desired.publish && flowJson && !desired.metaAppId ? 'PUBLISHED' : 'DRAFT';
        this.deps.log(`Flow ${flowId} was created, but reading it failed (${errorName(readError)}): taking it as ${status}, no preview URL`);
        flow = { status, previewUrl: '' };
      }
      if (outcome.kind === 'lost-answer' && flow.validationErrors?.length) {
        throw rejectedFlowJson(desired.flowName, flow.validationErrors);
      }
      const status = await this.publishIfAsked(flowId, desired, flow.status, true);
      this.deps.log(`Flow ${flowId} is ${status}`);
      return this.response(flowId, status, flow.previewUrl);
    } catch (error) {
      // CloudFormation sends no Delete for a failed Create: the Flow this Create made goes now.
      await this.removeAfterFailedCreate(desired.wabaId, flowId);
      throw error;
    }
  }

  /**
   * CreateWhatsAppFlow, retried within the budget. The service has no idempotency token, so a Create whose answer
   * was lost (a 5xx or a timeout after Meta acted) can only be recognised by its name, which is unique in a WABA.
   * The name proves nothing by itself: the Flow is taken as this invocation's only when the name was seen free
   * after an earlier attempt and an attempt since then may have been applied. Anything else holding the name is
   * not touched: the Create fails and names it, unless the construct asks to adopt it.
   */
  private async createFlow(desired: DesiredFlow, flowJson: Uint8Array | undefined): Promise<CreateOutcome> {
    let nameSeenFree = false;
    try {
      return await this.call('CreateWhatsAppFlow', async (client) => {
        try {
          const created = await createFlowCall(client, {
            id: desired.wabaId,
            flowName: desired.flowName,
            categories: desired.categories,
            flowJson,
            // An app can only be attached by an update: the Create publishes once the app is there.
            publish: (desired.publish && !desired.metaAppId) || undefined,
            cloneFlowId: desired.cloneFlowId,
            endpointUri: desired.endpointUri,
          });
          if (!created.flowId) throw new FlowFailure(`CreateWhatsAppFlow returned no flow id for '${desired.flowName}'. Deploy again.`);
          this.deps.log(`created Flow ${created.flowId} '${desired.flowName}'`);
          return { kind: 'created', flowId: created.flowId, validationErrors: created.validationErrors ?? [] };
        } catch (error) {
          if (!mayHaveApplied(error)) throw error;
          const existing = await this.findByName(desired);
          if (!existing) {
            // Nothing was made: the retry starts from a name known to be free.
            nameSeenFree = true;
            throw error;
          }
          if (nameSeenFree) {
            this.deps.log(`CreateWhatsAppFlow got no answer (${errorName(error)}), but made Flow ${existing.flowId}: `
              + 'the name was free just before that attempt, so the Flow is this Create\'s');
            return { kind: 'lost-answer', flow: existing };
          }
          if (desired.adoptExisting) return { kind: 'adopted', flow: existing };
          throw nameTaken(desired, existing, ` CreateWhatsAppFlow got no answer (${errorName(error)}), so this deploy may have `
            + 'made that Flow, or it was there before; the two cannot be told apart.');
        }
      });
    } catch (error) {
      if (error instanceof FlowFailure || isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      if (NOT_A_NAME_CONFLICT.includes(errorName(error))) throw error;
      // A refused Create: the name may be taken by a Flow made elsewhere (Meta's wording of that is not stable).
      const existing = await this.findByName(desired).catch(() => undefined);
      if (!existing) throw error;
      if (desired.adoptExisting) return { kind: 'adopted', flow: existing };
      throw nameTaken(desired, existing);
    }
  }

  /**
   * Whether the Flow is in this WABA. A changed WABA is a replacement, except when CloudFormation rolls a
   * replacement back: the physical id is then the original Flow, already in the WABA it asks for.
   */
  private async existsIn(wabaId: string, flowId: string): Promise<boolean> {
    try {
      await this.call('GetWhatsAppFlow', (client) => client.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId })));
      return true;
    } catch (error) {
      if (isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      return false;
    }
  }

  /** Takes over a Flow made elsewhere (adoptExistingFlow) and brings it to the declared state. */
  private async adopt(existing: MetaFlowSummary, desired: DesiredFlow): Promise<FlowHandlerResponse> {
    const flowId = existing.flowId!;
    if (existing.flowStatus === 'DEPRECATED') {
      throw new FlowFailure(`A DEPRECATED Flow named '${desired.flowName}' (id ${flowId}) holds the name in ${desired.wabaId}, `
        + 'and a deprecated Flow cannot be changed: choose another flowName.');
    }
    this.deps.log(`adopting Flow ${flowId} '${desired.flowName}' (${existing.flowStatus}): adoptExistingFlow is set`);
    const flow = await this.describe(desired.wabaId, flowId);
    // No previous properties: the Flow JSON that a failed push would restore is the Flow's own.
    return this.converge(flowId, desired, undefined, flow, {
      categories: sameCategories(existing.flowCategories ?? [], desired.categories) ? undefined : desired.categories,
      endpointUri: desired.endpointUri,
      metaAppId: desired.metaAppId,
    }, desired.json !== undefined);
  }

  /** A WABA's Flow of the declared name, deprecated ones included (they may keep their name). */
  private async findByName(desired: DesiredFlow): Promise<MetaFlowSummary | undefined> {
    let nextToken: string | undefined;
    let deprecated: MetaFlowSummary | undefined;
    do {
      const page = await this.call('ListWhatsAppFlows', (client) => client.send(new ListWhatsAppFlowsCommand({ id: desired.wabaId, nextToken })), true);
      for (const flow of page.flows ?? []) {
        if (flow.flowName !== desired.flowName) continue;
        if (flow.flowStatus !== 'DEPRECATED') return flow;
        deprecated ??= flow;
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return deprecated;
  }

  /** Removes a Flow that this invocation's Create made: delete a draft, deprecate a published one. */
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
        this.deps.log(`could not remove Flow ${flowId} made by the failed Create: ${errorName(deprecateError)}`);
      }
    }
  }

  private async update(flowId: string, desired: DesiredFlow, previous: DesiredFlow, stackId: string): Promise<FlowHandlerResponse> {
    if (desired.wabaId !== previous.wabaId && !(await this.existsIn(desired.wabaId, flowId))) {
      const original = await this.deps.isRollingBack(stackId) ? await this.findByName(desired) : undefined;
      if (original?.flowId && original.flowStatus !== 'DEPRECATED') {
        // CloudFormation rolls back a replacement that succeeded: the Flow this resource had before is still there
        // (the old resource is only deleted after a successful update), and its cleanup deletes the new one.
        this.deps.log(`rolling back a replacement: Flow ${original.flowId} in ${desired.wabaId} is this resource's again`);
        return this.update(original.flowId, desired, desired, stackId);
      }
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
      // The declared Flow can simply be made again; CloudFormation's cleanup Delete of the old id then finds nothing.
      this.deps.log(`Flow ${flowId} no longer exists in ${desired.wabaId} (deleted outside this stack): creating it again`);
      return this.create(desired);
    }
    const jsonChanged = desired.json !== undefined
      && (desired.json.bucket !== previous.json?.bucket || desired.json.key !== previous.json?.key);
    let target = desired;
    if (jsonChanged && !desired.publish && LIVE_STATUSES.includes(flow.status) && await this.deps.isRollingBack(stackId)) {
      // CloudFormation restores the previous properties; the Flow stays live with them (publishing cannot be undone).
      this.deps.log(`Flow ${flowId} is ${flow.status} and the stack is rolling back: its previous Flow JSON is published again`);
      target = { ...desired, publish: true };
    }
    if (previous.endpointUri && !desired.endpointUri) {
      this.deps.log(`Flow ${flowId} keeps its endpoint: an endpoint cannot be removed from a Flow`);
    }
    if (previous.metaAppId && desired.metaAppId !== previous.metaAppId) {
      this.deps.log(`Flow ${flowId}: an attached Meta app cannot be detached`);
    }
    return this.converge(flowId, target, previous.json, flow, {
      flowName: desired.flowName !== previous.flowName ? desired.flowName : undefined,
      categories: sameCategories(desired.categories, previous.categories) ? undefined : desired.categories,
      endpointUri: desired.endpointUri !== previous.endpointUri ? desired.endpointUri : undefined,
      metaAppId: desired.metaAppId && desired.metaAppId !== previous.metaAppId ? desired.metaAppId : undefined,
    }, jsonChanged);
  }

  /**
   * Brings an existing Flow to the declared state: metadata, then JSON, then publish, last. A Flow that was live
   * stays live: when new JSON is refused or cannot be published, the previous JSON is pushed and published again.
   */
  private async converge(
    flowId: string,
    desired: DesiredFlow,
    previousJson: JsonSource | undefined,
    flow: FlowState,
    metadata: MetadataChanges,
    pushJson: boolean,
  ): Promise<FlowHandlerResponse> {
    let status = flow.status;
    const changesSomething = hasMetadataChanges(metadata) || pushJson;
    if (changesSomething && status === 'DEPRECATED') {
      throw new FlowFailure(`Flow ${flowId} is DEPRECATED and cannot be changed (deprecation cannot be undone). `
        + 'Give the WhatsAppFlow construct a new id and flowName so that a new Flow is created.');
    }
    if (pushJson && !desired.publish && LIVE_STATUSES.includes(status)) {
      throw new FlowFailure(`Flow ${flowId} is ${status}: new Flow JSON would put it back to DRAFT and take it off the air, `
        + 'and publish is false. Nothing was changed. Set publish: true to publish the new Flow JSON, or keep the Flow JSON as it is.');
    }
    if (hasMetadataChanges(metadata)) await this.updateMetadata(desired.wabaId, flowId, metadata);
    if (!pushJson) {
      status = await this.publishIfAsked(flowId, desired, status, false);
      return this.response(flowId, status, flow.previewUrl);
    }

    const wasLive = LIVE_STATUSES.includes(status);
    // What a failed push restores: the previous asset, or (with none) the Flow's own JSON, read before it changes.
    const restoreFrom = wasLive && !previousJson ? await this.currentFlowJson(desired.wabaId, flowId) : undefined;
    try {
      const flowJson = await this.readJson(desired.json!);
      const updated = await this.call('UpdateWhatsAppFlowAssets', (client) => client.send(new UpdateWhatsAppFlowAssetsCommand({
        id: desired.wabaId, flowId, flowJson,
      })));
      if (updated.validationErrors?.length) throw rejectedFlowJson(desired.flowName, updated.validationErrors);
      this.deps.log(`updated Flow JSON of Flow ${flowId}`);
      if (status === 'PUBLISHED') {
        status = 'DRAFT';
        this.deps.log(`Flow ${flowId}: PUBLISHED -> DRAFT (new Flow JSON)`);
      } else if (status !== 'DRAFT') {
        // Meta decides what new JSON does to a BLOCKED or THROTTLED Flow: ask rather than guess.
        status = (await this.describe(desired.wabaId, flowId, false)).status;
      }
      status = await this.publishIfAsked(flowId, desired, status, true);
    } catch (error) {
      if (wasLive) await this.restoreLive(desired, flowId, previousJson, restoreFrom);
      throw error;
    }
    return this.response(flowId, status, flow.previewUrl);
  }

  /** UpdateWhatsAppFlow with what changed: name, categories, endpoint, app. */
  private async updateMetadata(wabaId: string, flowId: string, changes: MetadataChanges): Promise<void> {
    await this.call('UpdateWhatsAppFlow', (client) => updateFlowCall(client, { id: wabaId, flowId, ...changes }));
    const changed = Object.entries(changes).filter(([, value]) => value !== undefined).map(([name]) => name);
    this.deps.log(`updated ${changed.join(', ')} of Flow ${flowId}`);
  }

  /**
   * Publishes a draft when `publish` asks for it. Where this deploy made or changed the Flow JSON (`mustPublish`),
   * a Flow that Meta holds (BLOCKED, THROTTLED) fails the deploy; otherwise its status is only reported.
   */
  private async publishIfAsked(flowId: string, desired: DesiredFlow, status: string, mustPublish: boolean): Promise<string> {
    if (desired.publish && status === 'DRAFT') {
      await this.callReaching('PUBLISHED', desired.wabaId, flowId, 'PublishWhatsAppFlow',
        (client) => client.send(new PublishWhatsAppFlowCommand({ id: desired.wabaId, flowId })));
      this.deps.log(`Flow ${flowId}: DRAFT -> PUBLISHED`);
      return 'PUBLISHED';
    }
    if (desired.publish && status !== 'PUBLISHED') {
      if (!mustPublish) {
        this.deps.log(`Flow ${flowId} is ${status}: not published`);
        return status;
      }
      throw new FlowFailure(`Flow ${flowId} is ${status}, so publish: true cannot be carried out: Meta sets BLOCKED or THROTTLED `
        + 'when the Flow or its endpoint is unhealthy. See the Flow\'s health in WhatsApp Manager, fix the cause, and deploy again.');
    }
    if (!desired.publish && status === 'PUBLISHED') {
      this.deps.log(`Flow ${flowId} stays PUBLISHED: publishing cannot be undone`);
    }
    return status;
  }

  /** Puts a live Flow back on the air after a failed change: its previous JSON, published again. */
  private async restoreLive(desired: DesiredFlow, flowId: string, previousJson: JsonSource | undefined, current?: Uint8Array): Promise<void> {
    try {
      const status = (await this.describe(desired.wabaId, flowId, false, true)).status;
      if (status !== 'DRAFT') return;
      const flowJson = current ?? (previousJson ? await this.readJson(previousJson) : undefined);
      if (!flowJson) {
        this.deps.log(`Flow ${flowId} is DRAFT and there is no previous Flow JSON to restore`);
        return;
      }
      const restored = await this.call('UpdateWhatsAppFlowAssets', (client) => client.send(new UpdateWhatsAppFlowAssetsCommand({
        id: desired.wabaId, flowId, flowJson,
      })), true);
      if (restored.validationErrors?.length) {
        this.deps.log(`Flow ${flowId}: Meta refused the previous Flow JSON too; it stays DRAFT`);
        return;
      }
      await this.callReaching('PUBLISHED', desired.wabaId, flowId, 'PublishWhatsAppFlow',
        (client) => client.send(new PublishWhatsAppFlowCommand({ id: desired.wabaId, flowId })), true);
      this.deps.log(`Flow ${flowId}: previous Flow JSON restored and published again`);
    } catch (restoreError) {
      this.deps.log(`Flow ${flowId}: could not restore the previous Flow JSON (${errorName(restoreError)}); it may be DRAFT`);
    }
  }

  /** The Flow JSON the Flow has now, from Meta (only where no previous asset can restore it). */
  private async currentFlowJson(wabaId: string, flowId: string): Promise<Uint8Array | undefined> {
    const assets = await this.call('ListWhatsAppFlowAssets', (client) => client.send(new ListWhatsAppFlowAssetsCommand({ id: wabaId, flowId })));
    const asset = assets.flowAssets?.find((a) => a.assetType === 'FLOW_JSON' && a.downloadUrl);
    return asset ? this.deps.downloadFlowJson(asset.downloadUrl!) : undefined;
  }

  private async delete(flowId: string, desired: DesiredFlow): Promise<FlowHandlerResponse> {
    const gone = { PhysicalResourceId: flowId, Data: {} };
    // RETAIN is CloudFormation's DeletionPolicy: a retained Flow's Delete never reaches the handler.
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
    cleanup = false,
  ): Promise<void> {
    try {
      await this.call(operation, send, cleanup);
    } catch (error) {
      if (error instanceof RetryBudgetExhausted) throw error;
      const status = await this.describe(wabaId, flowId, false, cleanup).then((flow) => flow.status, () => undefined);
      if (status !== target) throw error;
      this.deps.log(`${operation}: Flow ${flowId} is already ${target}`);
    }
  }

  /** One read for the status and the preview URL (the preview call only when the Flow lacks one). */
  private async describe(wabaId: string, flowId: string, withPreview = true, cleanup = false)
    : Promise<FlowState & { validationErrors?: string[] }> {
    const flow = await this.call('GetWhatsAppFlow', (client) => client.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId })), cleanup);
    let previewUrl = flow.preview?.previewUrl;
    if (withPreview && !previewUrl) {
      const preview = await this.call('GetWhatsAppFlowPreview', (client) => client.send(new GetWhatsAppFlowPreviewCommand({ id: wabaId, flowId })))
        .catch((error) => {
          this.deps.log(`no preview URL for Flow ${flowId}: ${errorName(error)}`);
          return undefined;
        });
      previewUrl = preview?.preview?.previewUrl;
    }
    return { status: flow.flowStatus ?? 'DRAFT', previewUrl: previewUrl ?? '', validationErrors: flow.validationErrors };
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

  private async readJson(source: JsonSource): Promise<Uint8Array> {
    return this.deps.readFlowJson(source.bucket, source.key);
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
    return withinBudget(operation, () => send(this.deps.socialMessaging), this.deps, cleanup);
  }
}
