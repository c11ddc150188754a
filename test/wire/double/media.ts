/**
 * GetWhatsAppMessageMedia: media a customer sent to a business phone number, which the service copies from Meta into
 * an S3 object of the caller's choice (S3File.key is a prefix: the object's key is the key followed by the media id).
 * The copy lands in the double's ObjectStore, where a test reads it back.
 */
import { ServiceError } from './errors';
import { defineRoute, Input, Route, str } from './input';
import type { ObjectStore } from './s3';

/** A media file Meta holds for a phone number. */
export interface MediaRecord {
  readonly body: Buffer;
  readonly mimeType: string;
  /** The phone number (`phone-number-id-…`) that received it: only that number may fetch it. */
  readonly phoneNumberId: string;
}

/** One GetWhatsAppMessageMedia call as the double saw it. */
export interface MediaCall {
  readonly mediaId: string;
  readonly originationPhoneNumberId: string;
  readonly bucketName?: string;
  readonly key?: string;
}

export class MediaStore {
  public readonly calls: MediaCall[] = [];
  private readonly media = new Map<string, MediaRecord>();

  put(mediaId: string, record: MediaRecord): void {
    this.media.set(mediaId, record);
  }

  get(mediaId: string): MediaRecord | undefined {
    return this.media.get(mediaId);
  }

  clear(): void {
    this.media.clear();
    this.calls.length = 0;
  }
}

const MEDIA_ID = /^[A-Za-z0-9]+$/;
const PHONE_NUMBER = /^(phone-number-id-([0-9A-Za-z]+)|arn:[^:]+:social-messaging:[^:]*:[^:]*:phone-number-id\/([0-9A-Za-z]+))$/;

function s3File(i: Input): { bucketName: string; key: string } | undefined {
  const v = i.destinationS3File;
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) throw new ServiceError('ValidationException', "'destinationS3File' must be an object.");
  const file = v as Input;
  // The key may be empty (the object is then named by the media id alone).
  if (typeof file.key !== 'string') throw new ServiceError('ValidationException', "'destinationS3File.key' must be a string.");
  return { bucketName: str(file, 'bucketName'), key: file.key };
}

export const MEDIA_ROUTES: Route[] = [
  defineRoute('GetWhatsAppMessageMedia', 'POST /v1/whatsapp/media/get', ['mediaId', 'originationPhoneNumberId'], (i, ctx) => {
    const { media, objects } = ctx as unknown as { media: MediaStore; objects: ObjectStore };
    const mediaId = str(i, 'mediaId');
    const phone = str(i, 'originationPhoneNumberId');
    const destination = s3File(i);
    media.calls.push({ mediaId, originationPhoneNumberId: phone, bucketName: destination?.bucketName, key: destination?.key });
    if (!MEDIA_ID.test(mediaId)) throw new ServiceError('ValidationException', "'mediaId' must match [A-Za-z0-9]+.");
    const match = PHONE_NUMBER.exec(phone);
    if (!match) throw new ServiceError('ValidationException', "'originationPhoneNumberId' is neither a phone number id nor its ARN.");
    if (destination && i.destinationS3PresignedUrl !== undefined) throw new ServiceError('InvalidParametersException', 'Use either destinationS3File or destinationS3PresignedUrl.');
    const record = media.get(mediaId);
    if (!record || record.phoneNumberId !== `phone-number-id-${match[2] ?? match[3]}`) {
      throw new ServiceError('ResourceNotFoundException', `Media ${mediaId} was not found.`);
    }
    if (destination && i.metadataOnly !== true) objects.put(destination.bucketName, `${destination.key}${mediaId}`, record.body);
    return { mimeType: record.mimeType, fileSize: record.body.length };
  }),
];
