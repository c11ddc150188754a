import { FlowApi, FlowHandlerResponse, isNotFound } from './api';
import { DesiredFlow } from './desired';
import { CREATE_FAILED_MARKER } from '../../provider/budget';

/**
 * Retires a Flow: a draft is deleted, a published Flow deprecated; one already gone, or never made, is a success.
 * RETAIN is CloudFormation's DeletionPolicy: a retained Flow's Delete never reaches the handler.
 */
export async function deleteFlow(api: FlowApi, flowId: string, desired: DesiredFlow): Promise<FlowHandlerResponse> {
  const gone = { PhysicalResourceId: flowId, Data: {} };
  if (flowId === CREATE_FAILED_MARKER) return gone;
  const wabaId = desired.wabaId;
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
