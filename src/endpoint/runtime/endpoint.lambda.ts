/**
 * The function behind WhatsAppFlowEndpoint's Function URL: Meta's encrypted requests in, the user's function's
 * answers encrypted out (see exchange.ts). One KMS Decrypt per request; the app secret is read from Secrets
 * Manager once per sandbox and kept for five minutes.
 */
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { answerGuard } from './answer-guard';
import { DecryptionError } from './crypto';
import { exchange, FlowRequest, HandlerOutcome, HttpResponse, OutcomeRecord } from './exchange';
import { mediaHookFromEnv } from './media-store';
import { ENDPOINT_METRIC_DIMENSION, ENDPOINT_METRICS_NAMESPACE, EndpointEnv } from '../contract';

/** Used when there is no Lambda context. */
const DEFAULT_BUDGET_MS = 8_000;
const SECRET_TTL_MS = 5 * 60_000;
const DEFAULT_ERROR_MESSAGE = 'Something went wrong. Please try again.';
/** KMS errors that mean "this ciphertext is not for this key": Meta re-fetches the public key on a 421. */
const WRONG_KEY_ERRORS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

// Each request has a timeout: a hung KMS call must not eat Meta's 10 seconds.
const TIMEOUTS = { requestTimeout: 2_000, connectionTimeout: 1_000, throwOnRequestTimeout: true };
const kms = new KMSClient({ maxAttempts: 2, requestHandler: TIMEOUTS });
// The user's function is invoked once per request: it may not be idempotent.
const lambda = new LambdaClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 1_000 } });
let secrets: SecretsManagerClient | undefined;
// The answer contracts, decoded once per sandbox (undefined: answers are not checked).
const checkAnswer = answerGuard(process.env[EndpointEnv.ANSWER_CONTRACT]);
let cachedSecret: { value: string; until: number } | undefined;

/** The Function URL's event (payload format 2.0), as far as it is read. */
export interface FunctionUrlEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string | undefined>;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

async function decryptAesKey(encryptedAesKey: Buffer): Promise<Uint8Array> {
  try {
    const result = await kms.send(new DecryptCommand({
      KeyId: process.env[EndpointEnv.KMS_KEY_ID],
      CiphertextBlob: encryptedAesKey,
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }));
    if (!result.Plaintext) throw new DecryptionError('KMS returned no plaintext');
    return result.Plaintext;
  } catch (error) {
    if (WRONG_KEY_ERRORS.has((error as Error).name)) throw new DecryptionError(`KMS could not decrypt the AES key (${(error as Error).name})`);
    throw error;
  }
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
    return { kind: 'failed', errorType: (error as Error).name ?? 'Error' };
  }
}

async function appSecret(): Promise<string> {
  if (cachedSecret && cachedSecret.until > Date.now()) return cachedSecret.value;
  secrets ??= new SecretsManagerClient({ maxAttempts: 2, requestHandler: TIMEOUTS });
  const result = await secrets.send(new GetSecretValueCommand({ SecretId: process.env[EndpointEnv.APP_SECRET_ARN] }));
  if (!result.SecretString) throw new Error('the app secret has no SecretString');
  cachedSecret = { value: result.SecretString.trim(), until: Date.now() + SECRET_TTL_MS };
  return cachedSecret.value;
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
    storeMedia: mediaHookFromEnv(), // issue 20: media to S3 when FLOW_ENDPOINT_MEDIA_BUCKET is set
    checkAnswer,
  });
}
