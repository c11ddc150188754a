/**
 * The endpoint function's source in process, its AWS clients mocked (aws-sdk-client-mock): the same protocol as
 * the wire test, checked where a mocked client can see more (the exact KMS input, the Invoke's abort signal, the
 * secret's cache) and where jest measures coverage.
 */
import { constants, createHmac, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { DecryptCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { decryptAnswer, hs256Jwt, hubSignature, metaRequest } from './meta';
import { EndpointEnv } from '../../src/endpoint/contract';
import { AppSecretCache, AppSecretError, appSecretValue, SECRET_REREAD_MS, SECRET_TTL_MS } from '../../src/endpoint/runtime/app-secret';
import { decryptRequest, DecryptionError, encryptResponse, flipIv, MalformedRequestError, parseEncryptedRequest } from '../../src/endpoint/runtime/crypto';
import { DecryptBudget } from '../../src/endpoint/runtime/decrypt-budget';
import { handler } from '../../src/endpoint/runtime/endpoint.lambda';
import { safeName } from '../../src/endpoint/runtime/exchange';
import { flowTokenSignatureProblem, verifyHubSignature } from '../../src/endpoint/runtime/signature';

const kms = mockClient(KMSClient);
const lambda = mockClient(LambdaClient);
const secrets = mockClient(SecretsManagerClient);
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/0000';
const HANDLER_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:logic';
const FLOW_TOKEN = 'flowtoken-CUSTOMER-1';
const logs: string[] = [];

/** An Invoke response payload: the SDK's blob adapter is a Uint8Array with helpers that the endpoint does not use. */
const bytes = (text: string) => new Uint8Array(Buffer.from(text)) as any;
const encode = (value: unknown) => bytes(JSON.stringify(value));

beforeEach(() => {
  kms.reset();
  lambda.reset();
  secrets.reset();
  logs.length = 0;
  jest.spyOn(console, 'log').mockImplementation((line: string) => {
    logs.push(line);
  });
  process.env[EndpointEnv.KMS_KEY_ID] = KEY_ARN;
  process.env[EndpointEnv.HANDLER_FUNCTION] = HANDLER_ARN;
  delete process.env[EndpointEnv.APP_SECRET_ARN];
  delete process.env[EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE];
  delete process.env[EndpointEnv.ERROR_MESSAGE];
  kms.on(DecryptCommand).callsFake((input) => {
    try {
      return { Plaintext: privateDecrypt({ key: keys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, input.CiphertextBlob) };
    } catch {
      throw new InvalidCiphertextException({ message: 'invalid', $metadata: {} });
    }
  });
});

afterEach(() => jest.restoreAllMocks());

function event(body: string, headers: Record<string, string> = {}, method = 'POST') {
  return { body, headers, isBase64Encoded: false, requestContext: { http: { method } } };
}

async function send(request: unknown, headers?: (body: string) => Record<string, string>) {
  const meta = metaRequest(keys.publicKey, request);
  const result = await handler(event(meta.body, headers?.(meta.body)), { getRemainingTimeInMillis: () => 8_000 } as any);
  expect(logs.join('\n')).not.toContain(FLOW_TOKEN);
  return { result, answer: result.statusCode === 200 ? decryptAnswer(meta, result.body) : undefined };
}

const exchange = { version: '3.0', action: 'data_exchange', screen: 'SLOTS', flow_token: FLOW_TOKEN, data: { date: '2026-12-24' } };

test('one KMS Decrypt with the key and RSAES_OAEP_SHA_256, then the plain request to the handler and its answer back', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ screen: 'CONFIRM', data: { ok: true } }) });
  const { result, answer } = await send(exchange);
  expect(result).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
  expect(answer).toEqual({ screen: 'CONFIRM', data: { ok: true } });
  expect(kms.commandCalls(DecryptCommand).map((c) => [c.args[0].input.KeyId, c.args[0].input.EncryptionAlgorithm])).toEqual([[KEY_ARN, 'RSAES_OAEP_SHA_256']]);
  const invoke = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(invoke.FunctionName).toBe(HANDLER_ARN);
  expect(JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString())).toEqual(exchange);
  expect(logs).toEqual([]);
});

test('a handler error is logged by its errorType; a FunctionError without a JSON payload by Lambda\'s name for it', async () => {
  lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType: 'KeyError', errorMessage: FLOW_TOKEN }) })
    .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: bytes('Task timed out') });
  process.env[EndpointEnv.ERROR_MESSAGE] = 'Try again soon.';
  expect((await send(exchange)).answer).toEqual({ screen: 'SLOTS', data: { error_message: 'Try again soon.' } });
  expect((await send(exchange)).answer).toEqual({ screen: 'SLOTS', data: { error_message: 'Try again soon.' } });
  expect(logs.map((l) => JSON.parse(l).reason)).toEqual(['the handler function failed (KeyError)', 'the handler function failed (Unhandled)']);
});

test('a refused Invoke is answered as a handler error; a payload that is not JSON is not an object', async () => {
  lambda.on(InvokeCommand).rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
    .resolvesOnce({ StatusCode: 200, Payload: bytes('plain text') });
  expect((await send({ ...exchange, action: 'INIT', screen: undefined })).result.statusCode).toBe(500);
  expect((await send(exchange)).answer).toMatchObject({ data: { error_message: 'Something went wrong. Please try again.' } });
  expect(logs.map((l) => JSON.parse(l).reason)).toEqual([
    'the handler function could not be invoked (TooManyRequestsException)',
    'the handler function returned string, not an object',
  ]);
});

test('an Invoke that outlasts the budget is aborted', async () => {
  // The SDK rejects an aborted request with AbortError; the mock does so after the endpoint's 1 ms budget.
  lambda.on(InvokeCommand).callsFake(() => new Promise((_resolve, reject) => {
    setTimeout(() => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), 50);
  }));
  const meta = metaRequest(keys.publicKey, exchange);
  const result = await handler(event(meta.body), { getRemainingTimeInMillis: () => 700 } as any);
  expect(decryptAnswer(meta, result.body)).toMatchObject({ data: { error_message: expect.any(String) } });
  expect(JSON.parse(logs[0]).reason).toBe('the handler function did not answer in time');
});

test('421 for a key KMS cannot decrypt; 500 when KMS returns no plaintext', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const meta = metaRequest(other.publicKey, exchange);
  expect((await handler(event(meta.body))).statusCode).toBe(421);
  kms.on(DecryptCommand).resolves({});
  expect((await send(exchange)).result.statusCode).toBe(421);
  expect(logs.map((l) => JSON.parse(l).reason)).toEqual([
    'decryption failed: KMS could not decrypt the AES key (InvalidCiphertextException)',
    'decryption failed: KMS returned no plaintext',
  ]);
});

test('with the app secret: read once, X-Hub-Signature-256 checked, and flow_token_signature on 4.0', async () => {
  process.env[EndpointEnv.APP_SECRET_ARN] = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:app';
  process.env[EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE] = 'true';
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'app-secret\n' });
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ screen: 'NEXT', data: {} }) });
  const sign = (body: string) => ({ 'x-hub-signature-256': hubSignature(body, 'app-secret') });
  const exp = Date.now() / 1000 + 600;
  const v4 = { ...exchange, version: '4.0', flow_token_signature: hs256Jwt({ flow_token: FLOW_TOKEN, exp }, 'app-secret') };
  expect((await send(v4, sign)).result.statusCode).toBe(200);
  expect((await send({ ...v4, flow_token_signature: hs256Jwt({ flow_token: FLOW_TOKEN, exp }, 'app-secret', 'none') }, sign)).result.statusCode).toBe(432);
  expect((await send(exchange, () => ({}))).result.statusCode).toBe(432);
  // Read from Secrets Manager in an earlier test or this one, and kept: at most once here.
  expect(secrets.commandCalls(GetSecretValueCommand).length).toBeLessThanOrEqual(1);
});

describe('crypto', () => {
  test('a response encrypted under the flipped IV decrypts with it; flipping twice gives the IV back', () => {
    const key = Buffer.alloc(16, 7);
    const iv = Buffer.from('00ff10ef20df30cf40bf50af609f708f', 'hex');
    expect(flipIv(flipIv(iv))).toEqual(iv);
    expect(flipIv(Buffer.from([0x00, 0xff, 0x0f]))).toEqual(Buffer.from([0xff, 0x00, 0xf0]));
    const body = encryptResponse(key, flipIv(iv), '{"a":1}');
    expect(decryptRequest(key, { encryptedFlowData: Buffer.from(body, 'base64'), encryptedAesKey: Buffer.alloc(0), initialVector: iv }).toString()).toBe('{"a":1}');
  });

  test.each([
    ['a key that is not 16 bytes', Buffer.alloc(32), Buffer.alloc(40), Buffer.alloc(16), 'the AES key is 32 bytes, not 16'],
    ['data no longer than its tag', Buffer.alloc(16), Buffer.alloc(16), Buffer.alloc(16), 'encrypted_flow_data is shorter than its tag'],
    ['an empty IV', Buffer.alloc(16), Buffer.alloc(40), Buffer.alloc(0), 'initial_vector is empty'],
  ])('%s is a DecryptionError', (_what, key, data, iv, message) => {
    const request = { encryptedFlowData: data, encryptedAesKey: Buffer.alloc(0), initialVector: iv };
    expect(() => decryptRequest(key, request)).toThrow(new DecryptionError(message));
  });

  test.each([
    ['[]', 'the body is not a JSON object'],
    ['{"encrypted_flow_data":"a","encrypted_aes_key":"%%%","initial_vector":"a"}', 'encrypted_aes_key is missing or not base64'],
    ['{"encrypted_flow_data":"","encrypted_aes_key":"a","initial_vector":"a"}', 'encrypted_flow_data is missing or not base64'],
  ])('%s is not a Flow request', (body, message) => {
    expect(() => parseEncryptedRequest(body)).toThrow(new MalformedRequestError(message));
  });
});

describe('signatures', () => {
  const body = Buffer.from('{"encrypted_flow_data":"x"}');
  test('X-Hub-Signature-256: hex case does not matter, anything else does', () => {
    const good = hubSignature(body.toString(), 's');
    expect(verifyHubSignature(body, good, 's')).toBe(true);
    expect(verifyHubSignature(body, `sha256=${good.slice(7).toUpperCase()}`, 's')).toBe(true);
    expect(verifyHubSignature(body, good.slice(0, -2), 's')).toBe(false);
    expect(verifyHubSignature(body, 'sha1=abc', 's')).toBe(false);
    expect(verifyHubSignature(body, undefined, 's')).toBe(false);
  });

  test.each([
    ['not a JWT', 'abc', 'flow_token_signature is not a JWT'],
    ['claims that are not JSON', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.bm90IGpzb24.sig`, 'flow_token_signature does not verify with the app secret'],
  ])('flow_token_signature %s', (_what, jwt, problem) => {
    expect(flowTokenSignatureProblem(jwt, 't', 's')).toBe(problem);
  });

  test('a valid signature whose claims are not an object has no claims', () => {
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const claims = Buffer.from('[1]').toString('base64url');
    const sig = createHmac('sha256', 's').update(`${header}.${claims}`).digest('base64url');
    expect(flowTokenSignatureProblem(`${header}.${claims}.${sig}`, 't', 's')).toBe('flow_token_signature has no claims');
  });

  test.each([
    ['exp one second ahead', { exp: 1_001 }, undefined],
    ['exp 59 seconds ago (clock skew)', { exp: 941 }, undefined],
    ['exp 60 seconds ago', { exp: 940 }, 'flow_token_signature has expired'],
    ['exp NaN-like', { exp: 'soon' }, 'flow_token_signature has no numeric exp'],
    ['nbf 60 seconds ahead (clock skew)', { exp: 2_000, nbf: 1_060 }, undefined],
    ['nbf 61 seconds ahead', { exp: 2_000, nbf: 1_061 }, 'flow_token_signature is not valid yet (nbf)'],
  ])('flow_token_signature with %s at t=1000', (_what, times, problem) => {
    expect(flowTokenSignatureProblem(hs256Jwt({ flow_token: 't', ...times }, 's'), 't', 's', 1_000)).toBe(problem);
  });

  test('a blank key verifies nothing, not even what was signed with it', () => {
    expect(verifyHubSignature(body, hubSignature(body.toString(), ''), '')).toBe(false);
    expect(flowTokenSignatureProblem(hs256Jwt({ flow_token: 't', exp: 2_000 }, ''), 't', '', 1_000)).toBe('flow_token_signature cannot be verified without the app secret');
  });

  test('names from requests are logged only as letters, digits and _.:-, at most 64', () => {
    expect(safeName('BOOKING_SCREEN')).toBe('BOOKING_SCREEN');
    expect(safeName('<script>alert(1)</script>')).toBe('scriptalert1script');
    expect(safeName('x'.repeat(100))).toHaveLength(64);
    expect(safeName('   ')).toBeUndefined();
    expect(safeName(42)).toBeUndefined();
  });
});

describe('the decrypt budget', () => {
  test('at most perSecond Decrypts in any second: a near turn is waited for, a far one refused', () => {
    let now = 10_000;
    const budget = new DecryptBudget(3, 250, () => now);
    expect([budget.reserve(), budget.reserve(), budget.reserve()]).toEqual([0, 0, 0]);
    now = 10_500;
    expect(budget.reserve()).toBeUndefined(); // its turn is at 11,000: 500 ms away
    now = 10_800;
    expect(budget.reserve()).toBe(200); // goes at 11,000
    expect(budget.reserve()).toBe(200); // also at 11,000: the window [10,000, 11,000) held three
    expect(budget.reserve()).toBe(200);
    expect(budget.reserve()).toBeUndefined(); // its turn is at 12,000
    now = 12_000;
    expect(budget.reserve()).toBe(0);
  });

  test('only whole numbers of at least one Decrypt a second', () => {
    expect(() => new DecryptBudget(0)).toThrow(/at least 1/);
    expect(() => new DecryptBudget(2.5)).toThrow(/whole number/);
  });
});

describe('the app secret', () => {
  test.each([
    ['plain text, trimmed', ' s3cret\n', undefined, 's3cret'],
    ['a field of a JSON secret', '{"appSecret":" s3cret ","other":1}', 'appSecret', 's3cret'],
  ])('%s', (_what, secretString, field, value) => {
    expect(appSecretValue(secretString, field)).toBe(value);
  });

  test.each([
    ['blank', '  \n', undefined, 'the app secret is blank'],
    ['no SecretString', undefined, undefined, 'the app secret has no SecretString'],
    ['not JSON when a field is named', 's3cret', 'appSecret', 'the app secret is not JSON, so it has no field "appSecret"'],
    ['a JSON array', '["s3cret"]', 'appSecret', 'the app secret has no field "appSecret"'],
    ['without the field', '{"other":"s3cret"}', 'appSecret', 'the app secret has no field "appSecret"'],
    ['a field that is not a string', '{"appSecret":42}', 'appSecret', 'the app secret\'s field "appSecret" is not a string'],
    ['a blank field', '{"appSecret":" "}', 'appSecret', 'the app secret\'s field "appSecret" is blank'],
  ])('refused: %s', (_what, secretString, field, message) => {
    expect(() => appSecretValue(secretString, field)).toThrow(new AppSecretError(message));
  });

  test('read once, kept five minutes, read again after a signature failure at most once every five seconds', async () => {
    let now = 0;
    const values = ['v1', 'v2', 'v2', 'v3'];
    const read = jest.fn(async () => values.shift()!);
    const cache = new AppSecretCache(read, () => now);
    expect(await cache.current()).toBe('v1');
    now = 4_999;
    expect(await cache.reread()).toBeUndefined(); // too soon: no read
    expect(read).toHaveBeenCalledTimes(1);
    now = 5_000;
    expect(await cache.reread()).toBe('v2'); // rotated
    expect(await cache.current()).toBe('v2');
    now = 10_000;
    expect(await cache.reread()).toBeUndefined(); // read, unchanged
    now = 12_000;
    expect(await cache.reread()).toBeUndefined(); // too soon
    expect(await cache.current()).toBe('v2');
    expect(read).toHaveBeenCalledTimes(3);
    now = 10_000 + SECRET_TTL_MS;
    expect(await cache.current()).toBe('v3'); // five minutes after the last read
    expect(read).toHaveBeenCalledTimes(4);
  });

  test('fails closed on a blank secret, and reads it again no sooner than five seconds later', async () => {
    let now = 0;
    const read = jest.fn(async () => appSecretValue(now < 5_000 ? ' ' : 'fixed', undefined));
    const cache = new AppSecretCache(read, () => now);
    await expect(cache.current()).rejects.toThrow(new AppSecretError('the app secret is blank'));
    now = 4_000;
    await expect(cache.current()).rejects.toThrow(new AppSecretError('the app secret is blank'));
    expect(await cache.reread()).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(1);
    now = SECRET_REREAD_MS;
    expect(await cache.current()).toBe('fixed');
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('keeps its last value while Secrets Manager cannot be read, and tries again every five seconds', async () => {
    let now = 0;
    let down = false;
    const read = jest.fn(async () => {
      if (down) throw Object.assign(new Error('unavailable'), { name: 'InternalServiceError' });
      return 'v1';
    });
    const cache = new AppSecretCache(read, () => now);
    expect(await cache.current()).toBe('v1');
    down = true;
    now = SECRET_TTL_MS;
    expect(await cache.current()).toBe('v1');
    now = SECRET_TTL_MS + 1_000;
    expect(await cache.current()).toBe('v1');
    expect(read).toHaveBeenCalledTimes(2);
    now = SECRET_TTL_MS + SECRET_REREAD_MS;
    expect(await cache.current()).toBe('v1');
    expect(read).toHaveBeenCalledTimes(3);
  });

  test('without a value, the read\'s error is what current() throws', async () => {
    const cache = new AppSecretCache(async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    }, () => 0);
    await expect(cache.current()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
