/**
 * One request of Meta's endpoint protocol, from the HTTP request the Function URL hands over to the HTTP response:
 * signature, decryption, health checks, error notifications, the user's function, and encryption of its answer.
 * The AWS calls (KMS, Lambda, Secrets Manager) come in as dependencies, so that the protocol itself can be measured
 * without them.
 *
 * Logs: one line for each request that is not answered with success (and for each error notification), holding
 * the outcome, the action, the screen name and error names. Never the body, the decrypted request or response,
 * the flow token, a key or a secret: they are customer data.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/guides/implementingyourflowendpoint
 */
import { AppSecretError } from './app-secret';
import { decryptRequest, DecryptionError, encryptResponse, MalformedRequestError, parseEncryptedRequest } from './crypto';
import { DecryptThrottledError } from './decrypt-budget';
import type { MediaHook } from './media';
import { flowTokenSignatureProblem, isHubSignatureHeader, verifyHubSignature } from './signature';
import { EndpointMetric, INVALID_FLOW_TOKEN, RESPONSE_MARGIN_MS } from '../contract';

/** What the Function URL hands over (the fields of its payload format 2.0 that are used). */
export interface HttpRequest {
  readonly method: string;
  /** Lower-case header names, as Lambda Function URLs give them. */
  readonly headers: Record<string, string | undefined>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The plain request the user's function gets. */
export interface FlowRequest {
  readonly version: string;
  readonly action: string;
  readonly screen?: string;
  readonly data?: Record<string, unknown>;
  readonly flow_token?: string;
}

/** What became of the call to the user's function. */
export type HandlerOutcome =
  | { readonly kind: 'answered'; readonly payload: unknown }
  /** It threw or answered with a function error: `errorType` names why, never the message. */
  | { readonly kind: 'failed'; readonly errorType: string }
  /** Lambda did not run it (throttled: TooManyRequestsException, not found, access denied, network): the error's name. */
  | { readonly kind: 'not-invoked'; readonly errorType: string }
  | { readonly kind: 'timed-out' };

/** The Meta app secret (see app-secret.ts). */
export interface AppSecretSource {
  /** The value to verify with; throws AppSecretError (blank, no such field) or the read's error. */
  readonly current: () => Promise<string>;
  /** After a signature failure: a newer value when one may be read now and differs (a rotation), else undefined. */
  readonly reread: () => Promise<string | undefined>;
}

export interface ExchangeDependencies {
  /**
   * KMS Decrypt (RSAES_OAEP_SHA_256) of Meta's encrypted AES key; a key that does not fit throws DecryptionError,
   * a sandbox out of Decrypts for this second DecryptThrottledError.
   */
  readonly decryptAesKey: (encryptedAesKey: Buffer) => Promise<Uint8Array>;
  /** Invokes the user's function with the plain request, giving up after `timeoutMs`. */
  readonly invokeHandler: (request: FlowRequest, timeoutMs: number) => Promise<HandlerOutcome>;
  /** The Meta app secret; undefined: signatures are not checked. */
  readonly appSecret?: AppSecretSource;
  /** On data API 4.0, require a valid `flow_token_signature` (needs `appSecret`). */
  readonly verifyFlowTokenSignature?: boolean;
  /** Shown in the Flow when the user's function fails on a data_exchange. */
  readonly errorMessage: string;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  /** Receives one record per request that needs one; never customer data. */
  readonly record: (record: OutcomeRecord) => void;
  /** Stores PhotoPicker/DocumentPicker files and replaces their entries in `data` (media.ts); unset: passed through. */
  readonly storeMedia?: MediaHook;
  /** Checks the user's function's answer against the Flows' contracts (answer-guard.ts); undefined: no check. */
  readonly checkAnswer?: (request: FlowRequest, answer: unknown) => OutcomeRecord | undefined;
}

/** A log record: the metric it counts towards and what happened, in words free of customer data. */
export interface OutcomeRecord {
  readonly metric: (typeof EndpointMetric)[keyof typeof EndpointMetric];
  readonly status: number;
  readonly reason: string;
  readonly action?: string;
  readonly screen?: string;
  /** The rule an answer broke (answer-guard.ts). */
  readonly rule?: string;
}

const FLOW_ACTIONS = new Set(['INIT', 'BACK', 'data_exchange']);
const TEXT = { 'content-type': 'text/plain' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** A name or short code from a request or an error, safe to log: letters, digits and `_.:-`, at most 64. */
export function safeName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, 64);
  return cleaned === '' ? undefined : cleaned;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function plain(statusCode: number, body = ''): HttpResponse {
  return { statusCode, headers: body ? JSON_TYPE : TEXT, body };
}

/** True for data API 4.0 or later. */
function isDataApi4(version: unknown): boolean {
  const major = Number(String(version ?? '').split('.')[0]);
  return Number.isFinite(major) && major >= 4;
}

/** Answers one HTTP request of Meta's endpoint protocol. */
export async function exchange(http: HttpRequest, deps: ExchangeDependencies): Promise<HttpResponse> {
  const fail = (status: number, metric: OutcomeRecord['metric'], reason: string, extra: Partial<OutcomeRecord> = {}): HttpResponse => {
    deps.record({ metric, status, reason, ...extra });
    return plain(status);
  };

  if (http.method.toUpperCase() !== 'POST') return fail(405, EndpointMetric.ENDPOINT_ERRORS, `method ${safeName(http.method)} is not allowed`);
  const rawBody = Buffer.from(http.body ?? '', http.isBase64Encoded ? 'base64' : 'utf8');

  // Authenticate before spending: nothing an attacker can trigger at will (a KMS call, an Invoke, a read of the
  // secret beyond its bound) happens before the signature verifies.
  let appSecret: string | undefined;
  if (deps.appSecret) {
    const signature = http.headers['x-hub-signature-256'];
    if (!isHubSignatureHeader(signature)) {
      return fail(432, EndpointMetric.SIGNATURE_FAILURES, 'X-Hub-Signature-256 is missing or not sha256=<64 hex digits>');
    }
    try {
      appSecret = await deps.appSecret.current();
    } catch (error) {
      if (error instanceof AppSecretError) return fail(500, EndpointMetric.ENDPOINT_ERRORS, `${error.message}: nothing is verified with it`);
      return fail(500, EndpointMetric.ENDPOINT_ERRORS, `reading the app secret failed (${safeName((error as Error).name)})`);
    }
    if (!verifyHubSignature(rawBody, signature, appSecret)) {
      // Perhaps the app secret was rotated: the source reads it again, at most once every few seconds per sandbox.
      const newer = await deps.appSecret.reread();
      if (newer === undefined || !verifyHubSignature(rawBody, signature, newer)) {
        return fail(432, EndpointMetric.SIGNATURE_FAILURES, 'X-Hub-Signature-256 does not verify with the app secret');
      }
      appSecret = newer;
    }
  }

  let aesKey: Uint8Array;
  let decrypted: Buffer;
  let iv: Buffer;
  try {
    const encrypted = parseEncryptedRequest(rawBody.toString('utf8'));
    iv = encrypted.initialVector;
    aesKey = await deps.decryptAesKey(encrypted.encryptedAesKey);
    decrypted = decryptRequest(aesKey, encrypted);
  } catch (error) {
    if (error instanceof MalformedRequestError) return fail(400, EndpointMetric.ENDPOINT_ERRORS, `not a Flow request: ${error.message}`);
    if (error instanceof DecryptionError) return fail(421, EndpointMetric.DECRYPTION_FAILURES, `decryption failed: ${error.message}`);
    if (error instanceof DecryptThrottledError) {
      // 429, as Lambda answers when the endpoint's concurrency is used up: too many requests, try again in a second.
      deps.record({ metric: EndpointMetric.DECRYPT_THROTTLED, status: 429, reason: error.message });
      return { statusCode: 429, headers: { ...TEXT, 'retry-after': '1' }, body: '' };
    }
    return fail(500, EndpointMetric.ENDPOINT_ERRORS, `decrypting the AES key failed (${safeName((error as Error).name)})`);
  }

  let request: unknown;
  try {
    request = JSON.parse(decrypted.toString('utf8'));
  } catch {
    return fail(400, EndpointMetric.ENDPOINT_ERRORS, 'the decrypted request is not JSON');
  }
  if (!isObject(request)) return fail(400, EndpointMetric.ENDPOINT_ERRORS, 'the decrypted request is not a JSON object');
  const answer = (body: unknown): HttpResponse => ({ statusCode: 200, headers: TEXT, body: encryptResponse(aesKey, iv, JSON.stringify(body)) });
  const action = safeName(request.action);
  const screen = safeName(request.screen);

  if (request.action === 'ping') return answer({ data: { status: 'active' } });

  if (isObject(request.data) && request.data.error !== undefined) {
    const reason = `error notification from Meta: ${safeName(request.data.error) ?? 'unnamed error'}`;
    deps.record({ metric: EndpointMetric.ERROR_NOTIFICATIONS, status: 200, reason, action, screen });
    return answer({ data: { acknowledged: true } });
  }

  if (typeof request.action !== 'string' || !FLOW_ACTIONS.has(request.action)) {
    return fail(400, EndpointMetric.ENDPOINT_ERRORS, `unknown action ${action ?? '(none)'}`, { screen });
  }

  if (appSecret !== undefined && deps.verifyFlowTokenSignature && isDataApi4(request.version)) {
    const problem = flowTokenSignatureProblem(request.flow_token_signature, request.flow_token, appSecret);
    if (problem) return fail(432, EndpointMetric.SIGNATURE_FAILURES, problem, { action, screen });
  }

  const flowRequest: FlowRequest = {
    version: String(request.version ?? ''),
    action: request.action,
    screen: typeof request.screen === 'string' ? request.screen : undefined,
    data: isObject(request.data) ? request.data : undefined,
    flow_token: typeof request.flow_token === 'string' ? request.flow_token : undefined,
  };
  if (deps.storeMedia && flowRequest.data) await deps.storeMedia(flowRequest.data, deps.remainingMs(), (r) => deps.record({ ...r, action, screen }));
  const outcome = await deps.invokeHandler(flowRequest, Math.max(0, deps.remainingMs() - RESPONSE_MARGIN_MS));

  const handlerFailed = (reason: string): HttpResponse => {
    deps.record({ metric: EndpointMetric.HANDLER_ERRORS, status: flowRequest.action === 'data_exchange' && flowRequest.screen ? 200 : 500, reason, action, screen });
    // On a data_exchange the customer stays on the screen and sees the message; INIT and BACK have nothing to show.
    if (flowRequest.action === 'data_exchange' && flowRequest.screen) {
      return answer({ screen: flowRequest.screen, data: { error_message: deps.errorMessage } });
    }
    return plain(500);
  };
  if (outcome.kind === 'timed-out') return handlerFailed('the handler function did not answer in time');
  if (outcome.kind === 'failed') return handlerFailed(`the handler function failed (${safeName(outcome.errorType) ?? 'unknown error'})`);
  // Lambda refusing the Invoke (above all a throttle) is answered as the function's failure: on a data_exchange the
  // customer stays in the Flow with the error message and can try again, and Meta counts no error against the
  // endpoint's health, which a 5xx would.
  if (outcome.kind === 'not-invoked') return handlerFailed(`the handler function could not be invoked (${safeName(outcome.errorType) ?? 'unknown error'})`);
  const payload = outcome.payload;
  if (!isObject(payload)) {
    return handlerFailed(`the handler function returned ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}, not an object`);
  }
  if (payload.error === INVALID_FLOW_TOKEN) {
    deps.record({ metric: EndpointMetric.INVALID_FLOW_TOKENS, status: 427, reason: 'the handler function said the flow token is not valid', action, screen });
    return plain(427, typeof payload.error_msg === 'string' ? JSON.stringify({ error_msg: payload.error_msg }) : '');
  }
  // Answer contract (answer-guard.ts): a violation is recorded; the answer goes to Meta unchanged.
  const violation = deps.checkAnswer?.(flowRequest, payload);
  if (violation) deps.record(violation);
  return answer(payload);
}
