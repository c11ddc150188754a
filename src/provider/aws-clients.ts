import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';

/**
 * How long one request may go unanswered before it fails with a retryable TimeoutError: well under the handler's
 * five minutes, so that a hung request is retried instead of eating the deploy.
 */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface AwsClients {
  readonly socialMessaging: SocialMessagingClient;
  readObject(bucket: string, key: string): Promise<Uint8Array>;
  stackStatus(stackId: string): Promise<string | undefined>;
  /** Downloads a file the service points to (a Flow asset's URL), with the same timeout as every request. */
  download(url: string): Promise<Uint8Array>;
}

const clients = new Map<number, AwsClients>();

/** The handler's clients, made once per sandbox (and per request timeout, which only tests change). */
export function awsClients(requestTimeoutMs = REQUEST_TIMEOUT_MS): AwsClients {
  const made = clients.get(requestTimeoutMs);
  if (made) return made;
  // Without throwOnRequestTimeout the SDK only warns when the timeout passes, and goes on waiting.
  const requestHandler = {
    requestTimeout: requestTimeoutMs, connectionTimeout: Math.min(5_000, requestTimeoutMs), throwOnRequestTimeout: true,
  };
  // The lifecycles retry within the invocation's time budget, so the SDK's own retries are off for Flow calls.
  const socialMessaging = new SocialMessagingClient({ maxAttempts: 1, requestHandler });
  const s3 = new S3Client({ requestHandler });
  const cloudFormation = new CloudFormationClient({ requestHandler });
  const made2: AwsClients = {
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
    async download(url) {
      const response = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) });
      if (!response.ok) throw new Error(`downloading the Flow asset failed with HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
  clients.set(requestTimeoutMs, made2);
  return made2;
}

/** Downloads a file the service points to (a Flow asset's URL), with the same timeout as every request. */
export function downloadWithTimeout(url: string): Promise<Uint8Array> {
  return awsClients().download(url);
}
