/**
 * The function behind WhatsAppFlowEndpoint's Function URL: Meta's encrypted requests in, the user's function's
 * answers encrypted out (see exchange.ts). One KMS Decrypt per request (two for a request made with the previous
 * key of a rotation), within the sandbox's Decrypt budget (decrypt-budget.ts); the app secret is read from Secrets
 * Manager once per sandbox and kept for five minutes, and read again after a signature failure at most once every
 * five seconds (app-secret.ts).
 */
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { answerGuard } from './answer-guard';
import { AppSecretCache, appSecretValue } from './app-secret';
import { DecryptionError } from './crypto';
import { DecryptBudget, DecryptThrottledError } from './decrypt-budget';
import { exchange, FlowRequest, HandlerOutcome, HttpResponse, OutcomeRecord } from './exchange';
import { mediaHookFromEnv } from './media-store';
import { ENDPOINT_METRIC_DIMENSION, ENDPOINT_METRICS_NAMESPACE, EndpointEnv, KMS_DECRYPTS_PER_SECOND_PER_SANDBOX } from '../contract';

/** Used when there is no Lambda context. */
const DEFAULT_BUDGET_MS = 8_000;
const DEFAULT_ERROR_MESSAGE = 'Something went wrong. Please try again.';
/** KMS errors that mean "this ciphertext is not for this key": Meta re-fetches the public key on a 421. */
const WRONG_KEY_ERRORS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

// Each request has a timeout: a hung KMS call must not eat Meta's 10 seconds.
const TIMEOUTS = { requestTimeout: 2_000, connectionTimeout: 1_000, throwOnRequestTimeout: true };
// cacheMiddleware: the client resolves its middleware stack once per command type instead of at every send (about
// 0.1 ms of CPU a request, measured with a stub HTTP handler); the stack is complete before the first send. It
// applies to sends without per-call options, so not to the Invoke, which carries its abort signal.
const kms = new KMSClient({ maxAttempts: 2, requestHandler: TIMEOUTS, cacheMiddleware: true });

/** The Decrypts this sandbox may send in any second (EndpointEnv.KMS_DECRYPTS_PER_SECOND, a whole number ≥ 1). */
function decryptsPerSecond(): number {
  const configured = Number(process.env[EndpointEnv.KMS_DECRYPTS_PER_SECOND]);
  return Number.isInteger(configured) && configured >= 1 ? configured : KMS_DECRYPTS_PER_SECOND_PER_SANDBOX;
}
const decryptBudget = new DecryptBudget(decryptsPerSecond());
// Every HTTP request the KMS client sends spends from the budget: the middleware sits below the SDK's retry
// middleware (finalizeRequest, priority high), so that a retried Decrypt counts twice. A Decrypt without a turn
// within the wait allowed fails with DecryptThrottledError, which the retry strategy does not retry.
kms.middlewareStack.add((next) => async (args) => {
  const wait = decryptBudget.reserve();
  if (wait === undefined) throw new DecryptThrottledError();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  return next(args);
}, { step: 'finalizeRequest', priority: 'low', name: 'decryptBudgetMiddleware' });

// The user's function is invoked once per request: it may not be idempotent.
const lambda = new LambdaClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 1_000 } });
let secrets: SecretsManagerClient | undefined;
// The answer contracts, decoded once per sandbox (undefined: answers are not checked).
const checkAnswer = answerGuard(process.env[EndpointEnv.ANSWER_CONTRACT]);
const appSecret = new AppSecretCache(async () => {
  secrets ??= new SecretsManagerClient({ maxAttempts: 2, requestHandler: TIMEOUTS });
  const result = await secrets.send(new GetSecretValueCommand({ SecretId: process.env[EndpointEnv.APP_SECRET_ARN] }));
  return appSecretValue(result.SecretString, process.env[EndpointEnv.APP_SECRET_FIELD] || undefined);
});

/** The Function URL's event (payload format 2.0), as far as it is read. */
export interface FunctionUrlEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string | undefined>;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

/** The AES key decrypted with `keyId`, or the name of KMS's error when the ciphertext is not for that key. */
async function decryptWith(keyId: string | undefined, encryptedAesKey: Buffer): Promise<Uint8Array | string> {
  try {
    const result = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: encryptedAesKey, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    if (!result.Plaintext) throw new DecryptionError('KMS returned no plaintext');
    return result.Plaintext;
  } catch (error) {
    if (WRONG_KEY_ERRORS.has((error as Error).name)) return (error as Error).name;
    throw error;
  }
}

/**
 * The current key first; during a rotation (EndpointEnv.PREVIOUS_KMS_KEY_ID), a request Meta still encrypted with
 * the previous public key is decrypted with the previous key instead of being answered 421.
 */
async function decryptAesKey(encryptedAesKey: Buffer): Promise<Uint8Array> {
  const current = await decryptWith(process.env[EndpointEnv.KMS_KEY_ID], encryptedAesKey);
  if (typeof current !== 'string') return current;
  const previousKey = process.env[EndpointEnv.PREVIOUS_KMS_KEY_ID];
  if (!previousKey) throw new DecryptionError(`KMS could not decrypt the AES key (${current})`);
  const previous = await decryptWith(previousKey, encryptedAesKey);
  if (typeof previous !== 'string') return previous;
  throw new DecryptionError(`KMS could not decrypt the AES key with the current key (${current}) or the previous one (${previous})`);
}

async function invokeHandler(request: FlowRequest, timeoutMs: number): Promise<HandlerOutcome> {
  const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
  try {
    const result = await lambda.send(new InvokeCommand({
      FunctionName: process.env[EndpointEnv.HANDLER_FUNCTION],
      Payload: Buffer.from(JSON.stringify(request)),
    }), { abortSignal: signal });
    const text = result.Payload ? Buffer.from(result.Payload).toString('utf8') : '';
    if (result.FunctionError) {
      // Lambda's error payload: {errorType, errorMessage, trace}. The message may quote customer data: not kept.
      let errorType = result.FunctionError;
      try {
        errorType = JSON.parse(text).errorType ?? errorType;
      } catch { /* not JSON: keep Lambda's FunctionError */ }
      return { kind: 'failed', errorType };
    }
    try {
      return { kind: 'answered', payload: text === '' ? undefined : JSON.parse(text) };
    } catch {
      return { kind: 'answered', payload: text };
    }
  } catch (error) {
    if (signal.aborted) return { kind: 'timed-out' };
    return { kind: 'not-invoked', errorType: (error as Error).name ?? 'Error' };
  }
}

/** One embedded-metric-format line: the outcome as a log line and as a CloudWatch metric. */
function record(outcome: OutcomeRecord): void {
  console.log(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: ENDPOINT_METRICS_NAMESPACE, Dimensions: [[ENDPOINT_METRIC_DIMENSION]], Metrics: [{ Name: outcome.metric, Unit: 'Count' }] }],
    },
    [ENDPOINT_METRIC_DIMENSION]: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local',
    [outcome.metric]: 1,
    status: outcome.status,
    reason: outcome.reason,
    action: outcome.action,
    screen: outcome.screen,
    rule: outcome.rule,
  }));
}

export async function handler(event: FunctionUrlEvent, context?: Context): Promise<HttpResponse> {
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS);
  return exchange({
    method: event.requestContext?.http?.method ?? 'POST',
    headers: event.headers ?? {},
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  }, {
    decryptAesKey,
    invokeHandler,
    appSecret: process.env[EndpointEnv.APP_SECRET_ARN] ? appSecret : undefined,
    verifyFlowTokenSignature: process.env[EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE] === 'true',
    errorMessage: process.env[EndpointEnv.ERROR_MESSAGE] || DEFAULT_ERROR_MESSAGE,
    remainingMs: () => deadline - Date.now(),
    record,
    storeMedia: mediaHookFromEnv(), // media to S3 when FLOW_ENDPOINT_MEDIA_BUCKET is set
    checkAnswer,
  });
}
