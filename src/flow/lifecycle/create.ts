import { MetaFlowSummary } from '@aws-sdk/client-socialmessaging';
import { errorName, FlowApi, FlowHandlerResponse, flowResponse, isNotFound, ObservedFlow } from './api';
import { convergeFlow } from './converge';
import { DesiredFlow } from './desired';
import { NOT_A_NAME_CONFLICT } from '../../provider/budget';
import { FlowFailure, rejectedFlowJson } from '../../provider/failure';
import { isRetryable, mayHaveApplied, RetryBudgetExhausted } from '../../provider/retry';

/** How a Flow that is now this resource's came to be. */
type CreateOutcome =
  /** Made by a Create call of this invocation, whose answer came back. */
  | { readonly kind: 'created'; readonly flowId: string; readonly validationErrors: string[] }
  /** Made by a Create call of this invocation whose answer was lost: proven by the name being free before it. */
  | { readonly kind: 'lost-answer'; readonly flow: MetaFlowSummary }
  /** Made elsewhere, and taken over because the construct says `adoptExistingFlow`. */
  | { readonly kind: 'adopted'; readonly flow: MetaFlowSummary };

/** Makes the declared Flow (or adopts one of its name); a failed Create removes what it made and nothing else (rule 4). */
export async function createFlow(api: FlowApi, desired: DesiredFlow): Promise<FlowHandlerResponse> {
  const flowJson = desired.json ? await api.readJson(desired.json) : undefined;
  const outcome = await createOnce(api, desired, flowJson);
  if (outcome.kind === 'adopted') return adopt(api, outcome.flow, desired);

  const flowId = outcome.kind === 'created' ? outcome.flowId : outcome.flow.flowId!;
  try {
    if (outcome.kind === 'created' && outcome.validationErrors.length) {
      throw rejectedFlowJson(desired.flowName, outcome.validationErrors);
    }
    if (desired.metaAppId) await api.updateMetadata(desired.wabaId, flowId, { metaAppId: desired.metaAppId });
    const flow = await observeCreated(api, desired, flowId, outcome.kind, flowJson !== undefined);
    if (outcome.kind === 'lost-answer' && flow.validationErrors?.length) {
      throw rejectedFlowJson(desired.flowName, flow.validationErrors);
    }
    let status = flow.status;
    if (desired.publish && status === 'DRAFT') {
      await api.publish(desired.wabaId, flowId);
      api.log(`Flow ${flowId}: DRAFT -> PUBLISHED`);
      status = 'PUBLISHED';
    } else if (desired.publish && status !== 'PUBLISHED') {
      throw new FlowFailure(`Flow ${flowId} is ${status}, so publish: true cannot be carried out: Meta sets BLOCKED or THROTTLED `
        + 'when the Flow or its endpoint is unhealthy. See the Flow\'s health in WhatsApp Manager, fix the cause, and deploy again.');
    }
    api.log(`Flow ${flowId} is ${status}`);
    return flowResponse(flowId, status, flow.previewUrl);
  } catch (error) {
    // CloudFormation does send a Delete after a failed Create, but the Provider framework answers it itself (the
    // failed Create's physical id is its marker) without calling this handler: the Flow this Create made goes now.
    await removeAfterFailedCreate(api, desired.wabaId, flowId);
    throw error;
  }
}

/**
 * What a Create knows of the Flow it made. The Create's answer already tells the status when it carried the Flow
 * JSON (validation errors fail the Create; `publish: true` without them publishes it), so no read is made unless an
 * answer was lost, the Flow was cloned, or the stack uses the PreviewUrl attribute; that read only fills attributes,
 * gives up early, and its failure leaves the Create a success (rule 12).
 */
async function observeCreated(api: FlowApi, desired: DesiredFlow, flowId: string, kind: 'created' | 'lost-answer',
  withJson: boolean): Promise<Pick<ObservedFlow, 'status' | 'previewUrl' | 'validationErrors'>> {
  const status = desired.publish && withJson && !desired.metaAppId ? 'PUBLISHED' : 'DRAFT';
  if (kind === 'lost-answer') return api.describe(desired.wabaId, flowId, desired.readPreviewUrl);
  if (withJson && !desired.readPreviewUrl) return { status, previewUrl: '' };
  try {
    return await api.describe(desired.wabaId, flowId, desired.readPreviewUrl, withJson ? 'attribute' : false);
  } catch (readError) {
    // A success stays a success: go on with what the Create call said rather than undo it.
    api.log(`Flow ${flowId} was created, but reading it failed (${errorName(readError)}): taking it as ${status}, no preview URL`);
    return { status, previewUrl: '' };
  }
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

/**
 * CreateWhatsAppFlow, retried within the budget. The service has no idempotency token, so a Create whose answer
 * was lost (a 5xx or a timeout after Meta acted) can only be recognised by its name, which is unique in a WABA.
 * The name proves nothing by itself: the Flow is taken as this invocation's only when the name was seen free
 * after an earlier attempt and an attempt since then may have been applied. Anything else holding the name is
 * not touched: the Create fails and names it, unless the construct asks to adopt it.
 */
async function createOnce(api: FlowApi, desired: DesiredFlow, flowJson: Uint8Array | undefined): Promise<CreateOutcome> {
  let nameSeenFree = false;
  try {
    return await api.call('CreateWhatsAppFlow', async () => {
      try {
        const created = await api.createOnce({
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
        api.log(`created Flow ${created.flowId} '${desired.flowName}'`);
        return { kind: 'created', flowId: created.flowId, validationErrors: created.validationErrors ?? [] };
      } catch (error) {
        if (!mayHaveApplied(error)) throw error;
        const existing = await api.findByName(desired.wabaId, desired.flowName);
        if (!existing) {
          // Nothing was made: the retry starts from a name known to be free.
          nameSeenFree = true;
          throw error;
        }
        if (nameSeenFree) {
          api.log(`CreateWhatsAppFlow got no answer (${errorName(error)}), but made Flow ${existing.flowId}: `
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
    const existing = await api.findByName(desired.wabaId, desired.flowName).catch(() => undefined);
    if (!existing) throw error;
    if (desired.adoptExisting) return { kind: 'adopted', flow: existing };
    throw nameTaken(desired, existing);
  }
}

/** Takes over a Flow made elsewhere (adoptExistingFlow) and converges it to the declared state. */
async function adopt(api: FlowApi, existing: MetaFlowSummary, desired: DesiredFlow): Promise<FlowHandlerResponse> {
  const flowId = existing.flowId!;
  if (existing.flowStatus === 'DEPRECATED') {
    throw new FlowFailure(`A DEPRECATED Flow named '${desired.flowName}' (id ${flowId}) holds the name in ${desired.wabaId}, `
      + 'and a deprecated Flow cannot be changed: choose another flowName.');
  }
  api.log(`adopting Flow ${flowId} '${desired.flowName}' (${existing.flowStatus}): adoptExistingFlow is set`);
  const observed = await api.describe(desired.wabaId, flowId, desired.readPreviewUrl);
  return convergeFlow(api, {
    flowId,
    desired,
    observed: { ...observed, categories: observed.categories ?? existing.flowCategories },
    // No previous properties: the Flow's JSON is unknown, and a live Flow's is read before it is replaced.
    jsonSourceChanged: desired.json !== undefined,
    // A Create is never rolled back by an Update.
    rollingBack: async () => false,
  });
}

/** Removes a Flow that this invocation's Create made: delete a draft, deprecate a published one. */
async function removeAfterFailedCreate(api: FlowApi, wabaId: string, flowId: string): Promise<void> {
  try {
    await api.deleteDraft(wabaId, flowId, true);
    api.log(`deleted Flow ${flowId} made by the failed Create`);
  } catch (deleteError) {
    if (isNotFound(deleteError)) return;
    // Not a draft any more (published with the Create): deprecate is the only way out.
    try {
      await api.deprecate(wabaId, flowId, true);
      api.log(`deprecated Flow ${flowId} made by the failed Create`);
    } catch (deprecateError) {
      api.log(`could not remove Flow ${flowId} made by the failed Create: ${errorName(deprecateError)}`);
    }
  }
}
