/**
 * Meta's signatures, checked in constant time with the Meta app's secret:
 * - `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` on every request;
 * - on data API 4.0, `flow_token_signature` in the decrypted request: a JWT (HS256) whose claims carry the flow token
 *   and its expiry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Equal strings, compared in time that does not depend on where they differ. */
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // timingSafeEqual needs equal lengths; comparing digests keeps the length out of the timing too.
  const ha = createHmac('sha256', 'cmp').update(a).digest();
  const hb = createHmac('sha256', 'cmp').update(b).digest();
  return timingSafeEqual(ha, hb);
}

const HUB_SIGNATURE = /^sha256=[0-9a-fA-F]{64}$/;

/** True when the header has the shape of Meta's `X-Hub-Signature-256` (checked before the app secret is read). */
export function isHubSignatureHeader(header: string | undefined): header is string {
  return header !== undefined && HUB_SIGNATURE.test(header);
}

/** True when the header is `sha256=` and the HMAC-SHA256 of the raw body under the app secret. */
export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  // A blank key would let anyone sign: never verify with one (the app secret's reader refuses it first).
  if (appSecret === '' || !isHubSignatureHeader(header)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return constantTimeEqual(Buffer.from(header.slice('sha256='.length).toLowerCase()), Buffer.from(expected));
}

function base64UrlJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds the endpoint's clock and Meta's may disagree by when `exp` and `nbf` are checked. */
export const CLOCK_SKEW_SECONDS = 60;

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Why a `flow_token_signature` does not verify, or undefined when it does: a JWT whose header names HS256 (no other
 * algorithm is tried), signed with the app secret, with a numeric `exp` that has not passed, an `nbf` (when given)
 * that has, both with `CLOCK_SKEW_SECONDS` of leeway, and a `flow_token` claim equal to the request's flow token.
 * The reason never quotes the token.
 */
export function flowTokenSignatureProblem(jwt: unknown, flowToken: unknown, appSecret: string, nowSeconds = Date.now() / 1000): string | undefined {
  if (typeof jwt !== 'string' || jwt === '') return 'flow_token_signature is missing';
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'flow_token_signature is not a JWT';
  const header = base64UrlJson(parts[0]);
  if (header?.alg !== 'HS256') return 'flow_token_signature is not signed with HS256';
  if (appSecret === '') return 'flow_token_signature cannot be verified without the app secret';
  const expected = createHmac('sha256', appSecret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  if (!constantTimeEqual(Buffer.from(parts[2]), Buffer.from(expected))) return 'flow_token_signature does not verify with the app secret';
  const claims = base64UrlJson(parts[1]);
  if (!claims) return 'flow_token_signature has no claims';
  if (!isNumber(claims.exp)) return 'flow_token_signature has no numeric exp';
  if (claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds) return 'flow_token_signature has expired';
  if (claims.nbf !== undefined) {
    if (!isNumber(claims.nbf)) return 'flow_token_signature has an nbf that is not a number';
    if (claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds) return 'flow_token_signature is not valid yet (nbf)';
  }
  if (typeof claims.flow_token !== 'string' || claims.flow_token === '') return 'flow_token_signature has no flow_token claim';
  if (typeof flowToken !== 'string' || !constantTimeEqual(Buffer.from(claims.flow_token), Buffer.from(flowToken))) {
    return 'flow_token_signature was made for another flow token';
  }
  return undefined;
}
