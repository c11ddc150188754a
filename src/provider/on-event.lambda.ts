import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { failureReason } from './failure';
import { FlowHandlerResponse, FlowLifecycle } from '../flow/flow-lifecycle';

/** Used when there is no Lambda context, as when the handler runs outside Lambda. */
const DEFAULT_BUDGET_MS = 5 * 60_000;

let clients: { socialMessaging: SocialMessagingClient; s3: S3Client } | undefined;

function awsClients() {
  // The lifecycle retries within the invocation's time budget, so the SDK's own retries are off.
  clients ??= { socialMessaging: new SocialMessagingClient({ maxAttempts: 1 }), s3: new S3Client({}) };
  return clients;
}

async function readFlowJson(bucket: string, key: string): Promise<Uint8Array> {
  const object = await awsClients().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`s3://${bucket}/${key} is empty`);
  return object.Body.transformToByteArray();
}

/** Logs say what happened to which Flow; they never hold the event, the Flow JSON or the ResponseURL. */
function log(message: string): void {
  console.log(message);
}

/** The Provider framework's `onEvent`: returns the physical id and attributes, or throws a short reason. */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Context): Promise<FlowHandlerResponse> {
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS);
  const lifecycle = new FlowLifecycle({
    socialMessaging: awsClients().socialMessaging,
    readFlowJson,
    remainingMs: () => deadline - Date.now(),
    log,
    retryBaseDelayMs: Number(process.env.RETRY_BASE_DELAY_MS) || undefined,
  });
  try {
    return await lifecycle.handle(event);
  } catch (error) {
    const reason = failureReason(error);
    log(`${event.RequestType} failed: ${reason}`);
    throw new Error(reason);
  }
}
