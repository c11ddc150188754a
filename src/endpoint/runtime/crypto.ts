/**
 * The encryption of Meta's endpoint protocol. Meta makes a fresh AES-128 key per request, encrypts it with the
 * business public key (RSA-OAEP, SHA-256), and encrypts the request with it (AES-128-GCM, the 16-byte tag appended
 * to the ciphertext). The response is encrypted with the same key under the request's IV with every bit flipped.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/guides/implementingyourflowendpoint#request-decryption-and-encryption
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const TAG_LENGTH = 16;
const AES_KEY_LENGTH = 16;

/** The body Meta posts. */
export interface EncryptedRequest {
  readonly encryptedFlowData: Buffer;
  readonly encryptedAesKey: Buffer;
  readonly initialVector: Buffer;
}

/** The body is not Meta's request (not JSON, or without its three base64 fields). */
export class MalformedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRequestError';
  }
}

/** The request cannot be decrypted: Meta answers a 421 by re-fetching the public key and retrying. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Field(body: Record<string, unknown>, name: string): Buffer {
  const value = body[name];
  if (typeof value !== 'string' || value === '' || !BASE64.test(value)) {
    throw new MalformedRequestError(`${name} is missing or not base64`);
  }
  return Buffer.from(value, 'base64');
}

/** The three base64 fields of Meta's request body; a body without them is not one of Meta's. */
export function parseEncryptedRequest(body: string): EncryptedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedRequestError('the body is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedRequestError('the body is not a JSON object');
  const fields = parsed as Record<string, unknown>;
  return {
    encryptedFlowData: base64Field(fields, 'encrypted_flow_data'),
    encryptedAesKey: base64Field(fields, 'encrypted_aes_key'),
    initialVector: base64Field(fields, 'initial_vector'),
  };
}

/** AES-128-GCM decryption of the request body; a wrong key, IV or tag is a DecryptionError. */
export function decryptRequest(aesKey: Uint8Array, request: EncryptedRequest): Buffer {
  if (aesKey.length !== AES_KEY_LENGTH) throw new DecryptionError(`the AES key is ${aesKey.length} bytes, not ${AES_KEY_LENGTH}`);
  const data = request.encryptedFlowData;
  if (data.length <= TAG_LENGTH) throw new DecryptionError('encrypted_flow_data is shorter than its tag');
  if (request.initialVector.length === 0) throw new DecryptionError('initial_vector is empty');
  try {
    const decipher = createDecipheriv('aes-128-gcm', aesKey, request.initialVector, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    throw new DecryptionError('AES-GCM authentication failed');
  }
}

/** Every bit of the IV flipped: the response's IV. */
export function flipIv(iv: Uint8Array): Buffer {
  const flipped = Buffer.alloc(iv.length);
  // eslint-disable-next-line no-bitwise
  for (let i = 0; i < iv.length; i++) flipped[i] = ~iv[i] & 0xff;
  return flipped;
}

/** The response, AES-128-GCM-encrypted under the flipped IV with the tag appended, as base64. */
export function encryptResponse(aesKey: Uint8Array, requestIv: Uint8Array, plaintext: string): string {
  const cipher = createCipheriv('aes-128-gcm', aesKey, flipIv(requestIv), { authTagLength: TAG_LENGTH });
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}
