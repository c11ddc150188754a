import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';

/**
 * How long one request may go unanswered before it fails with a retryable TimeoutError: well under the handler's
 * five minutes, so that a hung request is retried instead of eating the deploy. Tests shorten it.
 */
export const REQUEST_TIMEOUT_MS = Number(process.env.REQUEST_TIMEOUT_MS) || 20_000;
const CONNECTION_TIMEOUT_MS = Math.min(5_000, REQUEST_TIMEOUT_MS);

// Without throwOnRequestTimeout the SDK only warns when the timeout passes, and goes on waiting.
const requestHandler = { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS, throwOnRequestTimeout: true };

export interface AwsClients {
  readonly socialMessaging: SocialMessagingClient;
  readObject(bucket: string, key: string): Promise<Uint8Array>;
  stackStatus(stackId: string): Promise<string | undefined>;
}

let clients: AwsClients | undefined;

/** The handler's clients, made once per sandbox. */
export function awsClients(): AwsClients {
  if (clients) return clients;
  // The lifecycles retry within the invocation's time budget, so the SDK's own retries are off for Flow calls.
  const socialMessaging = new SocialMessagingClient({ maxAttempts: 1, requestHandler });
  const s3 = new S3Client({ requestHandler });
  const cloudFormation = new CloudFormationClient({ requestHandler });
  clients = {
    socialMessaging,
    async readObject(bucket, key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) throw new Error(`s3://${bucket}/${key} is empty`);
      return object.Body.transformToByteArray();
    },
    async stackStatus(stackId) {
      const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
      return stacks.Stacks?.[0]?.StackStatus;
    },
  };
  return clients;
}

/** Downloads a file the service points to (a Flow asset's URL), with the same timeout as every request. */
export async function downloadWithTimeout(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`downloading the Flow asset failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
