/**
 * The contract between WhatsAppFlowEndpoint's media props and the endpoint function's media runtime
 * (runtime/media.ts): Meta's limits, the defaults, and what the user's function gets in place of a media entry.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/reference/media_upload
 */

/**
 * Meta's limits for PhotoPicker and DocumentPicker values sent to the endpoint by `data_exchange`
 * (`max-uploaded-photos` / `max-uploaded-documents`: at most 30; `max-file-size-kb`: at most 25,600 KiB). One picker
 * per screen, so one request carries at most one picker's files.
 */
export const MEDIA_MAX_FILES = 30;
export const MEDIA_MAX_FILE_BYTES = 25_600 * 1024;

/**
 * The most bytes of media the endpoint stores for one request, all files together. Meta states no total for
 * `data_exchange` (30 files of 25 MiB would be 750 MiB, more than the function's memory and its 8 seconds allow); this
 * is Meta's own total for a Flow's response message (10 files, 100 MiB).
 */
export const MEDIA_MAX_TOTAL_BYTES = 100 * 1024 * 1024;

/** A file on the CDN is the ciphertext (AES-256-CBC, PKCS#7: at most one block more) and 10 bytes of HMAC. */
export const MEDIA_HMAC_LENGTH = 10;
export const MEDIA_MAX_ENCRYPTED_BYTES = MEDIA_MAX_FILE_BYTES + 16 + MEDIA_HMAC_LENGTH;

/**
 * Time kept for the user's function (and the answer) when the endpoint stores media: downloads that have not finished
 * this long before the endpoint's budget runs out are given up.
 */
export const MEDIA_HANDLER_RESERVE_MS = 3_000;

/** At most this many downloads at once. */
export const MEDIA_CONCURRENCY = 10;

/** The key prefix media is stored under when none is given. */
export const DEFAULT_MEDIA_PREFIX = 'whatsapp-flow-media';

/**
 * The hosts a `cdn_url` may name when none are given: WhatsApp's media CDN. Meta's media-upload guide shows
 * `https://mmg.whatsapp.net/...`; WhatsApp serves media from other `*.whatsapp.net` hosts (`mmg-fna.whatsapp.net`) and
 * Meta's CDN from `*.fbcdn.net` (`scontent.xx.fbcdn.net`).
 */
export const DEFAULT_MEDIA_HOSTS: readonly string[] = ['*.whatsapp.net', '*.fbcdn.net'];

/** Why a media entry was not stored: what the user's function gets as `error`. */
export const MediaError = {
  /** A hash, the HMAC or the padding did not verify, or the entry's encryption metadata is not usable. */
  VERIFICATION_FAILED: 'verification_failed',
  /** The file is larger than 25,600 KiB, or the request's files together exceed 100 MiB. */
  TOO_LARGE: 'too_large',
  /** More than 30 files in one request. */
  TOO_MANY_FILES: 'too_many_files',
  /** `cdn_url` is not HTTPS on an allowed host (an IP address never is). */
  HOST_NOT_ALLOWED: 'host_not_allowed',
  /** The CDN answered something else than 200 (a redirect included), or the connection failed. */
  DOWNLOAD_FAILED: 'download_failed',
  /** The file was not downloaded and stored before the time kept for the user's function. */
  TIMED_OUT: 'timed_out',
  /** S3 refused or failed the PutObject. */
  STORE_FAILED: 'store_failed',
} as const;
export type MediaErrorCode = (typeof MediaError)[keyof typeof MediaError];
