import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What WhatsAppFlowEndpoint does with the files of PhotoPicker and DocumentPicker components that a Flow sends to the
 * endpoint with `data_exchange`.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/reference/media_upload
 */
export interface FlowEndpointMediaProps {
  /**
   * Where the endpoint stores the files of PhotoPicker and DocumentPicker components. With a bucket, each media entry
   * of a request's `data` (`{file_name, media_id, cdn_url, encryption_metadata}`, found by its shape wherever it
   * sits) is downloaded from WhatsApp's CDN, verified (both SHA-256 hashes and the HMAC), decrypted and stored under
   * `mediaKeyPrefix`, before the handler is invoked. The handler gets, in its place,
   * `{fileName, mediaId, bucket, key, size, sha256, contentType}`, or `{fileName, mediaId, error}` for a file that
   * was not stored (`verification_failed`, `too_large`, `too_many_files`, `host_not_allowed`, `download_failed`,
   * `timed_out`, `store_failed`; each is also counted by the metric `MediaRejected`). The endpoint's role may only
   * `s3:PutObject` under the prefix (and use the bucket's KMS key to encrypt). Give the bucket a lifecycle rule on
   * the prefix: the endpoint never deletes what it stored.
   *
   * @default - media entries reach the handler as Meta sent them: with the CDN URL and the file's AES and HMAC keys,
   * and the handler downloads and decrypts them itself
   */
  readonly mediaBucket?: s3.IBucket;

  /**
   * The key prefix files are stored under: `<prefix>/<yyyy-mm-dd>/<sha256 of the file, hex>[.<extension>]`. The key
   * never holds the customer's file name (it is in the object's Content-Disposition and in what the handler gets).
   * Letters, digits and `!-_.*'()/`, without a leading or trailing `/`. Needs `mediaBucket`.
   *
   * @default 'whatsapp-flow-media'
   */
  readonly mediaKeyPrefix?: string;

  /**
   * The only hosts a `cdn_url` may name: the endpoint GETs nothing else (HTTPS only, no redirects, never an IP
   * address). `host` matches itself, `*.domain` any subdomain of domain; add `:port` to allow another port than 443.
   * Needs `mediaBucket`.
   *
   * @default ['*.whatsapp.net', '*.fbcdn.net'] - WhatsApp's media CDN (`mmg.whatsapp.net` in Meta's guide)
   */
  readonly mediaHosts?: string[];
}
