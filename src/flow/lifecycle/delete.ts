import { errorName, FlowApi, FlowHandlerResponse, isNotFound } from './api';
import { DesiredFlow } from './desired';
import { isRetryable, RetryBudgetExhausted } from '../../provider/retry';
import { isPendingCreate } from '../../provider/waiting';

/** Refusals that say nothing of the Flow's status: they fail at once. */
const ACCESS_ERRORS = ['AccessDeniedException', 'AccessDeniedByMetaException'];

/**
 * Retires a Flow: a draft is deleted, a published Flow deprecated; one already gone, or never made, is a success.
 * RETAIN is CloudFormation's DeletionPolicy: a retained Flow's Delete never reaches the handler.
 *
 * The declared `publish` says which of the two the Flow most likely needs, so that call is made first, without a
 * read: Meta accepts each only in its own status (delete: DRAFT; deprecate: PUBLISHED), so a wrong guess is
 * refused and changes nothing. Only then is the status read, and the call it asks for made.
 */
export async function deleteFlow(api: FlowApi, flowId: string, desired: DesiredFlow): Promise<FlowHandlerResponse> {
  const gone = { PhysicalResourceId: flowId, Data: {} };
  if (isPendingCreate(flowId)) {
    // A Create that waited for the rate limit and never got to make its Flow (rule 6).
    api.log('the Create never made a Flow: nothing to delete');
    return gone;
  }
  const wabaId = desired.wabaId;
  try {
    if (desired.publish) {
      await api.deprecate(wabaId, flowId);
      api.log(`Flow ${flowId}: PUBLISHED -> DEPRECATED`);
    } else {
      await api.deleteDraft(wabaId, flowId);
      api.log(`Flow ${flowId}: DRAFT -> deleted`);
    }
    return gone;
  } catch (error) {
    if (isNotFound(error)) {
      api.log(`Flow ${flowId} is already gone`);
      return gone;
    }
    if (isRetryable(error) || error instanceof RetryBudgetExhausted || ACCESS_ERRORS.includes(errorName(error))) throw error;
    // Refused: the Flow is in another status than the declaration suggests (a publish that did not happen, a Flow
    // published before publish was set to false). Its status decides.
  }
  let status: string;
  try {
    status = (await api.describe(wabaId, flowId, false)).status;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    api.log(`Flow ${flowId} is already gone`);
    return gone;
  }
  try {
    if (status === 'DRAFT') {
      await api.deleteDraft(wabaId, flowId);
      api.log(`Flow ${flowId}: DRAFT -> deleted`);
    } else if (status === 'PUBLISHED') {
      await api.deprecate(wabaId, flowId);
      api.log(`Flow ${flowId}: PUBLISHED -> DEPRECATED`);
    } else if (status === 'DEPRECATED') {
      api.log(`Flow ${flowId} is already DEPRECATED`);
    } else {
      api.log(`Flow ${flowId} is ${status}: only drafts can be deleted and only published Flows deprecated, `
        + 'so it is left as it is; retire it in WhatsApp Manager');
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    api.log(`Flow ${flowId} is already gone`);
  }
  return gone;
}
