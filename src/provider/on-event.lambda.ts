import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { awsClients, downloadWithTimeout } from './aws-clients';
import { failureReason } from './failure';
import { isRetryable } from './retry';
import { KEY_REGISTRATION_RESOURCE_TYPE } from '../endpoint/contract';
import { KeyRegistrationLifecycle } from '../endpoint/key-registration-lifecycle';
import { FLOW_RESOURCE_TYPE } from '../flow/contract';
import { FlowLifecycle } from '../flow/flow-lifecycle';
import { TEMPLATE_RESOURCE_TYPE } from '../template/contract';
import { TemplateLifecycle } from '../template/template-lifecycle';

/** What every lifecycle answers: the physical id and a few string attributes. */
type ProviderResponse = { readonly PhysicalResourceId: string; readonly Data: Record<string, string | undefined> };

/** Used when there is no Lambda context, as when the handler runs outside Lambda. */
const DEFAULT_BUDGET_MS = 5 * 60_000;

/** Logs say what happened to which resource; they never hold the event, the Flow JSON or the ResponseURL. */
function log(message: string): void {
  console.log(message);
}

async function readFlowJson(bucket: string, key: string): Promise<Uint8Array> {
  return awsClients().readObject(bucket, key);
}

/**
 * Whether CloudFormation is rolling the stack back. A retryable failure to read it (throttling, a 5xx) is thrown
 * for the caller to retry within its budget; when it cannot be read otherwise, it is taken as not.
 */
async function readRollingBack(stackId: string): Promise<boolean> {
  try {
    const status = await awsClients().stackStatus(stackId);
    return /ROLLBACK_IN_PROGRESS$/.test(status ?? '');
  } catch (error) {
    if (isRetryable(error)) throw error;
    log(`could not read the stack's status (${(error as Error).name})`);
    return false;
  }
}

/** Whether CloudFormation is rolling the stack back; when that cannot be read, it is taken as not. */
async function isRollingBack(stackId: string): Promise<boolean> {
  try {
    return await readRollingBack(stackId);
  } catch (error) {
    log(`could not read the stack's status (${(error as Error).name})`);
    return false;
  }
}

/** The Provider framework's `onEvent` for every resource type of the library: the id and attributes, or a short reason. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Context): Promise<ProviderResponse> {
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS);
  // What every lifecycle shares: the client, the invocation's time and the logs.
  const common = {
    socialMessaging: awsClients().socialMessaging,
    remainingMs: () => deadline - Date.now(),
    log,
    retryBaseDelayMs: Number(process.env.RETRY_BASE_DELAY_MS) || undefined,
  };
  try {
    switch (event.ResourceType) {
      case FLOW_RESOURCE_TYPE:
        return await new FlowLifecycle({
          ...common, readFlowJson, downloadFlowJson: downloadWithTimeout, isRollingBack: readRollingBack,
        }).handle(event);
      case KEY_REGISTRATION_RESOURCE_TYPE:
        return await new KeyRegistrationLifecycle(common).handle(event);
      case TEMPLATE_RESOURCE_TYPE:
        return await new TemplateLifecycle({ ...common, isRollingBack }).handle(event);
      default:
        throw new Error(`this provider does not handle resources of type ${event.ResourceType}`);
    }
  } catch (error) {
    const reason = failureReason(error);
    log(`${event.RequestType} failed: ${reason}`);
    throw new Error(reason);
  }
}
