/**
 * The endpoint function's media hook, from its environment: media.ts with S3 PutObject. Unset
 * FLOW_ENDPOINT_MEDIA_BUCKET: no hook, and media entries reach the user's function as Meta sent them.
 *
 * The S3 client (media-s3.ts, its own file in the asset) is loaded on the first request with media, so that endpoints
 * without media do not pay for it at cold start.
 */
import { join } from 'node:path';
import { MediaHook, MediaObject, storeMedia } from './media';
import { EndpointEnv } from '../contract';
import { DEFAULT_MEDIA_HOSTS, DEFAULT_MEDIA_PREFIX } from '../media-contract';

let s3: typeof import('./media-s3') | undefined;

async function put(object: MediaObject, signal: AbortSignal): Promise<void> {
  // media-s3.js next to this file: the asset's second bundle, lib's compiled module, or the source under ts-jest.
  // A computed path, so that esbuild leaves it out of index.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  s3 ??= require(join(__dirname, 'media-s3')) as typeof import('./media-s3');
  await s3.putObject(object, signal);
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
