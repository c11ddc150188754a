/**
 * The endpoint function's media hook (issue 20), from its environment: media.ts with S3 PutObject. Unset
 * FLOW_ENDPOINT_MEDIA_BUCKET: no hook, and media entries reach the user's function as Meta sent them.
 *
 * The S3 client is loaded on the first request with media, so that endpoints without media do not pay for it at
 * cold start.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { MediaHook, MediaObject, storeMedia } from './media';
import { EndpointEnv } from '../contract';
import { DEFAULT_MEDIA_HOSTS, DEFAULT_MEDIA_PREFIX } from '../media-contract';

let client: Promise<{ s3: S3Client; PutObjectCommand: typeof import('@aws-sdk/client-s3').PutObjectCommand }> | undefined;

function s3(): NonNullable<typeof client> {
  client ??= import('@aws-sdk/client-s3').then(({ S3Client: Client, PutObjectCommand }) => ({
    // A PutObject of up to 25 MiB: a connection within a second, the rest bounded by the media deadline's signal.
    s3: new Client({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000 } }),
    PutObjectCommand,
  }));
  return client;
}

async function put(object: MediaObject, signal: AbortSignal): Promise<void> {
  const { s3: c, PutObjectCommand } = await s3();
  await c.send(new PutObjectCommand({ ...object, ContentLength: object.Body.length }), { abortSignal: signal });
}

/** The hook for exchange.ts when the function has a media bucket; undefined otherwise. */
export function mediaHookFromEnv(env: NodeJS.ProcessEnv = process.env): MediaHook | undefined {
  const bucket = env[EndpointEnv.MEDIA_BUCKET];
  if (!bucket) return undefined;
  const hosts = env[EndpointEnv.MEDIA_HOSTS]?.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const settings = {
    bucket,
    prefix: (env[EndpointEnv.MEDIA_PREFIX] || DEFAULT_MEDIA_PREFIX).replace(/\/+$/, ''),
    hosts: hosts?.length ? hosts : DEFAULT_MEDIA_HOSTS,
  };
  return (data, remainingMs, record) => storeMedia(data, remainingMs, record, { settings, put });
}
