/**
 * A local stand-in for AWS End User Messaging Social (`socialmessaging`) WhatsApp Flow operations,
 * for S3 GetObject and for CloudFormation DescribeStacks, spoken over HTTP on 127.0.0.1 so the real AWS SDK clients can be pointed at it.
 *
 *   const double = await startSocialMessagingDouble();
 *   const client = new SocialMessagingClient(double.clientConfig);
 *   const s3 = new S3Client(double.clientConfig);
 *   ...
 *   await double.stop();
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { CallLog } from './calls';
import { Faults } from './faults';
import { MediaStore } from './media';
import { PublicKeyStore } from './public-keys';
import { RateLimit } from './rate-limit';
import { ObjectStore } from './s3';
import { handle } from './server';
import { FlowStore, FlowStoreOptions } from './state';
import { TemplateStore } from './templates';

export { CallLog, MUTATING_OPERATIONS } from './calls';
export type { CallRecord } from './calls';
export { ERROR_STATUS, ServiceError } from './errors';
export type { ServiceErrorName } from './errors';
export { Faults, mulberry32 } from './faults';
export type { Fault, RandomFaultOptions } from './faults';
export { ObjectStore } from './s3';
export { RateLimit } from './rate-limit';
export type { RateLimitOptions } from './rate-limit';
export { MediaStore } from './media';
export type { MediaCall, MediaRecord } from './media';
export { PublicKeyStore } from './public-keys';
export type { RegisteredKey } from './public-keys';
export { ASSET_PATH_PREFIX } from './server';
export { FlowStore, defaultFlowJsonValidator } from './state';
export type { FlowJsonValidator, FlowRecord, FlowStatus, FlowStoreOptions } from './state';
export { TemplateStore } from './templates';
export type { TemplateRecord, TemplateReviewer, TemplateStatus } from './templates';

export type SocialMessagingDoubleOptions = FlowStoreOptions;

/** Settings that point an AWS SDK v3 client (SocialMessaging or S3) at the double. */
export interface DoubleClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly maxAttempts: number;
  readonly forcePathStyle: boolean;
}

export interface SocialMessagingDouble {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Ready-made client settings: this endpoint, us-east-1, fake credentials, no SDK retries, path-style S3. */
  readonly clientConfig: DoubleClientConfig;
  /** Flow state machine: inspect flows, set statuses, swap the Flow JSON validator. */
  readonly state: FlowStore;
  /** Fault injection per operation. */
  readonly faults: Faults;
  /** Every request answered. */
  readonly calls: CallLog;
  /** S3 objects served at `GET /{bucket}/{key}`. */
  readonly s3: ObjectStore;
  /** CloudFormation's DescribeStacks: the StackStatus of each stack id (the wire driver sets it per event). */
  readonly stacks: Map<string, string>;
  /** Business public keys per phone number id. */
  readonly keys: PublicKeyStore;
  /** Message templates: inspect them, script Meta's review, set statuses. */
  readonly templates: TemplateStore;
  /** Media Meta holds for the phone numbers, and the GetWhatsAppMessageMedia calls made. */
  readonly media: MediaStore;
  /** Meta's rate limit: a token bucket shared by every caller (off until `set`). */
  readonly rateLimit: RateLimit;
  /** Forget flows, faults, calls and objects (the port stays). */
  reset(): void;
  /** Close the server and its keep-alive connections. */
  stop(): Promise<void>;
}

/** Start the double on an ephemeral port of 127.0.0.1. */
export async function startSocialMessagingDouble(options: SocialMessagingDoubleOptions = {}): Promise<SocialMessagingDouble> {
  const state = new FlowStore(options);
  const faults = new Faults();
  const calls = new CallLog();
  const s3 = new ObjectStore();
  const stacks = new Map<string, string>();
  const keys = new PublicKeyStore();
  const templates = new TemplateStore(state);
  const media = new MediaStore();
  const rateLimit = new RateLimit();
  let endpoint = '';

  const server = createServer((req, res) => {
    handle(req, res, { store: state, endpoint, faults, calls, objects: s3, stacks, keys, templates, media, rateLimit }).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'x-amzn-errortype': 'InternalServiceException' });
      res.end(JSON.stringify({ message: `double bug: ${e.message}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      forcePathStyle: true,
    },
    state,
    faults,
    calls,
    s3,
    stacks,
    keys,
    templates,
    media,
    rateLimit,
    reset() {
      rateLimit.set(undefined);
      state.reset();
      faults.clear();
      calls.clear();
      s3.clear();
      stacks.clear();
      keys.clear();
      templates.reset();
      media.clear();
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close(err => (err ? reject(err) : resolve()));
        // The SDK keeps sockets alive; close() alone would wait for them.
        server.closeAllConnections();
      });
    },
  };
}
