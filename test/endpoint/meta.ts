/**
 * Meta's side of the endpoint protocol, as a test plays it: a fresh AES-128 key per request, encrypted with the
 * business public key (RSA-OAEP, SHA-256, MGF1-SHA-256); the request encrypted with AES-128-GCM, the tag appended;
 * the answer decrypted with the same key under the flipped IV.
 */
import { constants, createCipheriv, createDecipheriv, createHmac, KeyObject, publicEncrypt, randomBytes } from 'node:crypto';

export interface MetaRequest {
  /** The HTTP body Meta posts. */
  readonly body: string;
  readonly aesKey: Buffer;
  readonly iv: Buffer;
}

/** Encrypts `request` as Meta does for the business public key `publicKey`. */
export function metaRequest(publicKey: KeyObject, request: unknown): MetaRequest {
  const aesKey = randomBytes(16);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-gcm', aesKey, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(request), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey);
  return {
    body: JSON.stringify({
      encrypted_flow_data: data.toString('base64'),
      encrypted_aes_key: encryptedKey.toString('base64'),
      initial_vector: iv.toString('base64'),
    }),
    aesKey,
    iv,
  };
}

/** Decrypts the endpoint's base64 answer as Meta does: same key, IV with every bit flipped. */
export function decryptAnswer(request: MetaRequest, answer: string): unknown {
  // eslint-disable-next-line no-bitwise
  const flipped = Buffer.from(request.iv.map((b) => ~b & 0xff));
  const data = Buffer.from(answer, 'base64');
  const decipher = createDecipheriv('aes-128-gcm', request.aesKey, flipped);
  decipher.setAuthTag(data.subarray(data.length - 16));
  return JSON.parse(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8'));
}

/** `X-Hub-Signature-256` of a body, as Meta signs it with the app secret. */
export function hubSignature(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** A JWT signed with HS256, as Meta's `flow_token_signature`. */
export function hs256Jwt(claims: Record<string, unknown>, secret: string, alg = 'HS256'): string {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${segment({ alg, typ: 'JWT' })}.${segment(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
