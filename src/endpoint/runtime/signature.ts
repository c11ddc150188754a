/**
 * Meta's signatures, checked in constant time with the Meta app's secret:
 * - `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` on every request;
 * - on data API 4.0, `flow_token_signature` in the decrypted request: a JWT (HS256) whose claims carry the flow token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Equal strings, compared in time that does not depend on where they differ. */
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // timingSafeEqual needs equal lengths; comparing digests keeps the length out of the timing too.
  const ha = createHmac('sha256', 'cmp').update(a).digest();
  const hb = createHmac('sha256', 'cmp').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when the header is `sha256=` and the HMAC-SHA256 of the raw body under the app secret. */
export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
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

/**
 * Why a `flow_token_signature` does not verify, or undefined when it does: a JWT signed with HS256 and the app
 * secret, not expired (`exp`, seconds) and, when its claims name a `flow_token`, naming the request's.
 * The reason never quotes the token.
 */
export function flowTokenSignatureProblem(jwt: unknown, flowToken: unknown, appSecret: string, nowSeconds = Date.now() / 1000): string | undefined {
  if (typeof jwt !== 'string' || jwt === '') return 'flow_token_signature is missing';
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'flow_token_signature is not a JWT';
  const header = base64UrlJson(parts[0]);
  if (header?.alg !== 'HS256') return 'flow_token_signature is not signed with HS256';
  const expected = createHmac('sha256', appSecret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  if (!constantTimeEqual(Buffer.from(parts[2]), Buffer.from(expected))) return 'flow_token_signature does not verify with the app secret';
  const claims = base64UrlJson(parts[1]);
  if (!claims) return 'flow_token_signature has no claims';
  if (typeof claims.exp === 'number' && claims.exp < nowSeconds) return 'flow_token_signature has expired';
  if (claims.flow_token !== undefined && claims.flow_token !== flowToken) return 'flow_token_signature was made for another flow token';
  return undefined;
}
