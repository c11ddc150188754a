/**
 * WhatsApp's side of a PhotoPicker/DocumentPicker file, as a test plays it: the file encrypted as the CDN holds it
 * (AES-256-CBC with PKCS#7 under a fresh key and IV, then the first 10 bytes of HMAC-SHA256(hmac_key, iv ||
 * ciphertext) appended) and the entry a data_exchange request carries for it.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/reference/media_upload#endpoint
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

export interface EncryptionMetadata {
  readonly encryption_key: string;
  readonly hmac_key: string;
  readonly iv: string;
  readonly plaintext_hash: string;
  readonly encrypted_hash: string;
}

export interface CdnFile {
  readonly plaintext: Buffer;
  /** What the CDN serves: ciphertext || hmac10. */
  readonly file: Buffer;
  readonly metadata: EncryptionMetadata;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');

/** Encrypts `plaintext` as WhatsApp's CDN holds it. */
export function cdnEncrypt(plaintext: Buffer): CdnFile {
  const key = randomBytes(32);
  const hmacKey = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const hmac10 = createHmac('sha256', hmacKey).update(iv).update(ciphertext).digest().subarray(0, 10);
  const file = Buffer.concat([ciphertext, hmac10]);
  return {
    plaintext,
    file,
    metadata: {
      encryption_key: key.toString('base64'),
      hmac_key: hmacKey.toString('base64'),
      iv: iv.toString('base64'),
      plaintext_hash: sha256(plaintext),
      encrypted_hash: sha256(file),
    },
  };
}

/** The same file with its stated encrypted_hash recomputed: only a deeper check (HMAC, plaintext hash) can catch the change. */
export function withFile(cdn: CdnFile, file: Buffer, metadata: Partial<EncryptionMetadata> = {}): CdnFile {
  return { ...cdn, file, metadata: { ...cdn.metadata, encrypted_hash: sha256(file), ...metadata } };
}

/** The entry of a PhotoPicker/DocumentPicker value in a data_exchange request. */
export function mediaEntry(cdnUrl: string, fileName: string, cdn: CdnFile, mediaId = `media-${fileName}`): Record<string, unknown> {
  return { file_name: fileName, media_id: mediaId, cdn_url: cdnUrl, encryption_metadata: cdn.metadata };
}

/** A JPEG-looking file of `size` bytes: its content is random (and so incompressible). */
export function photo(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}
