import { FlowApi, FlowHandlerResponse, isNotFound } from './api';
import { convergeFlow } from './converge';
import { createFlow } from './create';
import { DesiredFlow, jsonSourceChanged } from './desired';
import { lazy } from '../../provider/converge';

/**
 * An Update, forward or rollback: a changed WABA is a replacement (unless CloudFormation rolls one back), a Flow
 * deleted outside the stack is made again, and any other Flow is converged to the declared state.
 */
export async function updateFlow(api: FlowApi, flowId: string, desired: DesiredFlow, previous: DesiredFlow, stackId: string,
  rollingBack = lazy(() => api.rollingBack(stackId))): Promise<FlowHandlerResponse> {
  if (desired.wabaId !== previous.wabaId && !(await api.existsIn(desired.wabaId, flowId))) {
    const original = await rollingBack() ? await api.findByName(desired.wabaId, desired.flowName) : undefined;
    if (original?.flowId && original.flowStatus !== 'DEPRECATED') {
      // CloudFormation rolls back a replacement that succeeded: the Flow this resource had before is still there
      // (the old resource is only deleted after a successful update), and its cleanup deletes the new one.
      api.log(`rolling back a replacement: Flow ${original.flowId} in ${desired.wabaId} is this resource's again`);
      return updateFlow(api, original.flowId, desired, desired, stackId, rollingBack);
    }
    api.log(`WhatsApp Business Account changed from ${previous.wabaId}: replacing Flow ${flowId}`);
    return createFlow(api, desired);
  }
  if (desired.cloneFlowId !== previous.cloneFlowId) {
    api.log('cloneFlowId is read at creation only; its change has no effect on an existing Flow');
  }
  let observed;
  try {
    observed = await api.describe(desired.wabaId, flowId, desired.readPreviewUrl);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // The declared Flow can simply be made again; CloudFormation's cleanup Delete of the old id then finds nothing.
    api.log(`Flow ${flowId} no longer exists in ${desired.wabaId} (deleted outside this stack): creating it again`);
    return createFlow(api, desired);
  }
  if (previous.endpointUri && !desired.endpointUri) {
    api.log(`Flow ${flowId} keeps its endpoint: an endpoint cannot be removed from a Flow`);
  }
  if (previous.metaAppId && desired.metaAppId !== previous.metaAppId) {
    api.log(`Flow ${flowId}: an attached Meta app cannot be detached`);
  }
  return convergeFlow(api, { flowId, desired, previous, observed, jsonSourceChanged: jsonSourceChanged(desired, previous), rollingBack });
}
