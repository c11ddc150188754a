import { createHash } from 'crypto';
import { GetWhatsAppMessageMediaCommand, SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { FlowResponseDetail, FlowResponseMediaError, FlowResponseMediaFile } from './contract';
import type { FlowEvent, ResponseMedia } from './parse';

/**
 * Copies the PhotoPicker and DocumentPicker files of Flow responses into the media bucket with AWS's own
 * GetWhatsAppMessageMedia: AWS End User Messaging Social fetches the file from Meta and writes it to S3 itself. The
 * function never holds the bytes, a CDN URL or a decryption key.
 *
 * Each file lands at `<prefix><phone-number-id>/<message key>/<media id>`: AWS appends the media id to the key it is
 * given (S3File.key is a prefix). The message key is the first 32 hex digits of the SHA-256 of the reply's message id:
 * the same response gets the same keys on every delivery (a retry overwrites, never duplicates), and keys, which S3
 * access logs and CloudTrail data events show, hold no Meta id. A retention rule targets `<prefix>` (every file) or
 * `<prefix><phone-number-id>/` (one number's).
 */

/** GetWhatsAppMessageMedia's pattern of a media id: anything else is refused before a call. */
const MEDIA_ID = /^[A-Za-z0-9]{1,100}$/;
/** Calls in flight at once. */
const CONCURRENCY = 4;
/** The longest one call may take; less when the budget is shorter. */
const MAX_CALL_MS = 20_000;

export interface MediaOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** Milliseconds left for the media stage. */
  readonly remainingMs: () => number;
}

export interface MediaResult {
  readonly stored: number;
  readonly failed: number;
}

let client: SocialMessagingClient | undefined;

function socialMessaging(): SocialMessagingClient {
  client ??= new SocialMessagingClient({});
  return client;
}

/** `phone-number-id-…` from the phone number's ARN (`…:phone-number-id/…`). */
function phoneNumberIdOf(arn: string): string | undefined {
  const match = /:phone-number-id\/([0-9A-Za-z]+)$/.exec(arn);
  return match ? `phone-number-id-${match[1]}` : undefined;
}

export function messageKeyOf(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 32);
}

type Outcome = { readonly file: FlowResponseMediaFile } | { readonly error: string };

async function copy(sm: SocialMessagingClient, media: ResponseMedia, phoneNumberArn: string | undefined, keyPrefix: string,
  options: MediaOptions): Promise<Outcome> {
  if (!media.mediaId || !MEDIA_ID.test(media.mediaId)) return { error: 'InvalidMediaId' };
  if (!phoneNumberArn) return { error: 'UnknownPhoneNumber' };
  const timeout = Math.min(MAX_CALL_MS, options.remainingMs());
  if (timeout <= 0) return { error: 'OutOfTime' };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  try {
    const output = await sm.send(new GetWhatsAppMessageMediaCommand({
      mediaId: media.mediaId,
      originationPhoneNumberId: phoneNumberArn,
      destinationS3File: { bucketName: options.bucket, key: keyPrefix },
    }), { abortSignal: abort.signal });
    const file: FlowResponseMediaFile = {
      fileName: media.fileName ?? media.mediaId,
      bucket: options.bucket,
      key: `${keyPrefix}${media.mediaId}`,
      size: output.fileSize,
      sha256: media.sha256,
      contentType: output.mimeType ?? media.mimeType,
    };
    return { file: Object.fromEntries(Object.entries(file).filter(([, v]) => v !== undefined)) as unknown as FlowResponseMediaFile };
  } catch (error) {
    // The error's name only: its message may quote the request.
    return { error: abort.signal.aborted ? 'TimeoutError' : (error as Error).name || 'Error' };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `tasks` with at most CONCURRENCY in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tasks.length) }, worker));
  return results;
}

/**
 * Stores the media of every response event and rewrites its detail: each stored file becomes a
 * `FlowResponseMediaFile` in its `responseJson` field; each file that failed is left out of it and named in
 * `mediaErrors`.
 */
export async function storeMedia(events: FlowEvent[], options: MediaOptions): Promise<{ events: FlowEvent[]; result: MediaResult }> {
  let stored = 0;
  let failed = 0;
  const out: FlowEvent[] = [];
  for (const event of events) {
    if (!event.media?.length) {
      out.push(event);
      continue;
    }
    const detail = event.detail as FlowResponseDetail;
    const phoneNumberId = event.phoneNumberArn ? phoneNumberIdOf(event.phoneNumberArn) : undefined;
    const keyPrefix = `${options.prefix}${phoneNumberId ?? 'unknown'}/${messageKeyOf(detail.messageId)}/`;
    const sm = socialMessaging();
    const outcomes = await pool(event.media.map((m) => () => copy(sm, m, event.phoneNumberArn, keyPrefix, options)));
    const responseJson: Record<string, unknown> = { ...detail.responseJson };
    const fields = new Map<string, FlowResponseMediaFile[]>();
    const errors: FlowResponseMediaError[] = [];
    event.media.forEach((m, i) => {
      const outcome = outcomes[i];
      if (!fields.has(m.field)) fields.set(m.field, []);
      if ('file' in outcome) {
        stored++;
        fields.get(m.field)!.push(outcome.file);
      } else {
        failed++;
        errors.push(m.fileName ? { field: m.field, fileName: m.fileName, reason: outcome.error } : { field: m.field, reason: outcome.error });
      }
    });
    for (const [field, files] of fields) responseJson[field] = files;
    const rewritten: FlowResponseDetail = { ...detail, responseJson, ...(errors.length > 0 ? { mediaErrors: errors } : {}) };
    out.push({ ...event, detail: rewritten });
  }
  return { events: out, result: { stored, failed } };
}
