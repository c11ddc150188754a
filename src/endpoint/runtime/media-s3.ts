/**
 * The endpoint's S3 PutObject. Bundled as a second file of the endpoint's asset (media-s3.js, next to
 * index.js) and loaded on the first request with media, so that the S3 client, larger than the rest of the function,
 * costs nothing at the cold start of an endpoint without media.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MediaObject } from './media';

// A PutObject of up to 25 MiB: a connection within a second, the rest bounded by the media deadline's signal.
const s3 = new S3Client({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000 } });

export async function putObject(object: MediaObject, signal: AbortSignal): Promise<void> {
  await s3.send(new PutObjectCommand({ ...object, ContentLength: object.Body.length }), { abortSignal: signal });
}
