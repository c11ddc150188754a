/**
 * The shipped endpoint function, on the wire, as Meta calls it: the test encrypts each request with the public half
 * of a key pair it made (RSA-OAEP-SHA-256 and AES-128-GCM), the real bundled KMS client sends Decrypt to a local
 * stand-in that decrypts with the private half, the real Lambda client invokes a local stand-in of the user's
 * function, and the test decrypts the answer with the flipped IV.
 */
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { decryptAnswer, hs256Jwt, hubSignature, metaRequest } from './meta';
import { AwsStandIn } from './wire/aws-stand-in';
import { EndpointSandbox, functionUrlEvent } from './wire/sandbox';
import { EndpointEnv } from '../../src/endpoint/contract';

jest.setTimeout(60_000);

const HANDLER_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:booking-logic';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:meta-app-secret-AbCdEf';
const APP_SECRET = 'meta-app-secret';
/** Customer data in the requests and answers: none of it may reach a log line. */
const FLOW_TOKEN = 'flowtoken-CUSTOMER-7f3a';
const CUSTOMER = { name: 'Jane Customer', phone: '+14085550100', note: 'allergic-to-penicillin' };
const CUSTOMER_DATA = [FLOW_TOKEN, CUSTOMER.name, CUSTOMER.phone, CUSTOMER.note, APP_SECRET];

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
let keys: { publicKey: KeyObject; privateKey: KeyObject };
let standIn: AwsStandIn;
let plain: EndpointSandbox;
let signed: EndpointSandbox;

beforeAll(async () => {
  keys = pair();
  standIn = new AwsStandIn(keys.privateKey);
  const url = await standIn.start();
  // These sandboxes serve requests back to back: a budget that a test of the protocol never meets.
  const env = { [EndpointEnv.KMS_KEY_ID]: standIn.keyArn, [EndpointEnv.HANDLER_FUNCTION]: HANDLER_ARN, [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '1000' };
  plain = new EndpointSandbox(url, env);
  signed = new EndpointSandbox(url, { ...env, [EndpointEnv.APP_SECRET_ARN]: SECRET_ARN, [EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE]: 'true' });
  await Promise.all([plain.start(), signed.start()]);
});

afterAll(async () => {
  await Promise.all([plain.stop(), signed.stop()]);
  await standIn.stop();
});

beforeEach(() => standIn.reset());

function expectNoCustomerData(logs: string[]): void {
  const text = logs.join('\n');
  for (const value of CUSTOMER_DATA) expect(text).not.toContain(value);
}

/** The log records (embedded metric format lines) of an invocation. */
const records = (logs: string[]) => logs.map((l) => JSON.parse(l));

interface CallOptions {
  readonly headers?: Record<string, string>;
  readonly budgetMs?: number;
  readonly publicKey?: KeyObject;
}

async function call(sandbox: EndpointSandbox, request: unknown, options: CallOptions = {}) {
  const meta = metaRequest(options.publicKey ?? keys.publicKey, request);
  const outcome = await sandbox.invoke(functionUrlEvent(meta.body, options.headers), options.budgetMs);
  expect(outcome.error).toBeUndefined();
  expectNoCustomerData(outcome.logs);
  // Nor the request's key material or ciphertext.
  const text = outcome.logs.join('\n');
  for (const secret of [meta.aesKey.toString('base64'), meta.aesKey.toString('hex'), JSON.parse(meta.body).encrypted_aes_key.slice(0, 40)]) {
    expect(text).not.toContain(secret);
  }
  const result = outcome.result!;
  const answer = result.statusCode === 200 ? decryptAnswer(meta, result.body) : undefined;
  return { result, answer, logs: outcome.logs, ms: outcome.ms };
}

const dataExchange = { version: '3.0', action: 'data_exchange', screen: 'PICK_SLOT', flow_token: FLOW_TOKEN, data: { ...CUSTOMER, date: '2026-12-24' } };

describe('Meta\'s requests round-trip through the shipped bundle', () => {
  test('a health check is answered active with one KMS call and without calling the user\'s function', async () => {
    const { result, answer, logs } = await call(plain, { version: '3.0', action: 'ping' });
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('text/plain');
    expect(answer).toEqual({ data: { status: 'active' } });
    expect(standIn.count('kms')).toBe(1);
    expect(standIn.count('lambda')).toBe(0);
    expect(logs).toEqual([]);
  });

  test('the KMS Decrypt names the key and RSAES_OAEP_SHA_256', async () => {
    await call(plain, { version: '3.0', action: 'ping' });
    expect(standIn.calls[0].body).toMatchObject({ KeyId: standIn.keyArn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
  });

  test.each([
    ['INIT', { version: '3.0', action: 'INIT', flow_token: FLOW_TOKEN }],
    ['BACK', { version: '3.0', action: 'BACK', screen: 'PICK_SLOT', flow_token: FLOW_TOKEN }],
    ['data_exchange', dataExchange],
  ])('%s: the user\'s function gets the plain request and its answer is encrypted back; one KMS call', async (_action, request) => {
    const next = { screen: 'CONFIRM', data: { slots: [{ id: '0900', title: '09:00' }], greeting: `Hello ${CUSTOMER.name}` } };
    standIn.userFunction = () => ({ payload: next });
    const { result, answer, logs } = await call(plain, request);
    expect(result.statusCode).toBe(200);
    expect(answer).toEqual(next);
    expect(standIn.calls.filter((c) => c.service === 'lambda').map((c) => [c.path, c.body])).toEqual([[HANDLER_ARN, request]]);
    expect(standIn.count('kms')).toBe(1);
    expect(logs).toEqual([]);
  });

  test('only version, action, screen, data and flow_token reach the user\'s function', async () => {
    await call(plain, { ...dataExchange, flow_token_signature: 'x.y.z', extra: 'not passed' });
    expect(Object.keys(standIn.calls.find((c) => c.service === 'lambda')!.body).sort()).toEqual(['action', 'data', 'flow_token', 'screen', 'version']);
  });

  test('an error notification is acknowledged and logged by its error code only; the user\'s function is not called', async () => {
    const { result, answer, logs } = await call(plain, {
      version: '3.0',
      action: 'data_exchange',
      screen: 'PICK_SLOT',
      flow_token: FLOW_TOKEN,
      data: { error: 'INVALID_SCREEN_RESPONSE', error_message: `The data of ${CUSTOMER.name} (${CUSTOMER.phone}) did not match` },
    });
    expect(result.statusCode).toBe(200);
    expect(answer).toEqual({ data: { acknowledged: true } });
    expect(standIn.count('lambda')).toBe(0);
    expect(records(logs)).toEqual([expect.objectContaining({
      ErrorNotifications: 1,
      status: 200,
      action: 'data_exchange',
      screen: 'PICK_SLOT',
      reason: 'error notification from Meta: INVALID_SCREEN_RESPONSE',
    })]);
  });
});

describe('status codes', () => {
  test('421 for a request encrypted with another public key (Meta re-fetches the key and retries)', async () => {
    const { result, logs } = await call(plain, dataExchange, { publicKey: pair().publicKey });
    expect(result.statusCode).toBe(421);
    expect(standIn.count('lambda')).toBe(0);
    expect(records(logs)).toEqual([expect.objectContaining({ DecryptionFailures: 1, status: 421 })]);
  });

  test('421 after a key rotation, for requests Meta still encrypts with the old public key', async () => {
    const rotated = pair();
    standIn.setPrivateKey(rotated.privateKey);
    try {
      expect((await call(plain, dataExchange)).result.statusCode).toBe(421);
      expect((await call(plain, dataExchange, { publicKey: rotated.publicKey })).result.statusCode).toBe(200);
    } finally {
      standIn.setPrivateKey(keys.privateKey);
    }
  });

  test('421 for a body whose AES-GCM tag does not verify', async () => {
    const meta = metaRequest(keys.publicKey, dataExchange);
    const body = JSON.parse(meta.body);
    const data = Buffer.from(body.encrypted_flow_data, 'base64');
    data[0] ^= 1; // eslint-disable-line no-bitwise
    body.encrypted_flow_data = data.toString('base64');
    const outcome = await plain.invoke(functionUrlEvent(JSON.stringify(body)));
    expect(outcome.result!.statusCode).toBe(421);
    expect(standIn.count('lambda')).toBe(0);
  });

  test('400 for a body that is not Meta\'s request, 405 for another method; no KMS call', async () => {
    expect((await plain.invoke(functionUrlEvent('{"hello":"world"}'))).result!.statusCode).toBe(400);
    expect((await plain.invoke(functionUrlEvent('not json'))).result!.statusCode).toBe(400);
    expect((await plain.invoke(functionUrlEvent('', {}, 'GET'))).result!.statusCode).toBe(405);
    expect(standIn.count('kms')).toBe(0);
  });

  test('427 when the user\'s function says the flow token is invalid, with its error_msg', async () => {
    standIn.userFunction = () => ({ payload: { error: 'invalid_flow_token', error_msg: 'This booking was already made.' } });
    const { result, logs } = await call(plain, dataExchange);
    expect(result.statusCode).toBe(427);
    expect(JSON.parse(result.body)).toEqual({ error_msg: 'This booking was already made.' });
    expect(records(logs)).toEqual([expect.objectContaining({ InvalidFlowTokens: 1, status: 427, screen: 'PICK_SLOT' })]);
  });

  test('427 without a body when the function gives no error_msg', async () => {
    standIn.userFunction = () => ({ payload: { error: 'invalid_flow_token' } });
    const { result } = await call(plain, { version: '3.0', action: 'INIT', flow_token: FLOW_TOKEN });
    expect([result.statusCode, result.body]).toEqual([427, '']);
  });

  test('500 when KMS keeps failing; one retry of a throttled Decrypt succeeds', async () => {
    standIn.kmsFaults = [{ name: 'ThrottlingException', status: 400 }, { name: 'ThrottlingException', status: 400 }];
    const failed = await call(plain, dataExchange);
    expect(failed.result.statusCode).toBe(500);
    expect(records(failed.logs)).toEqual([expect.objectContaining({ EndpointErrors: 1, reason: 'decrypting the AES key failed (ThrottlingException)' })]);
    standIn.reset();
    standIn.kmsFaults = [{ name: 'ThrottlingException', status: 400 }];
    expect((await call(plain, dataExchange)).result.statusCode).toBe(200);
  });
});

describe('when the user\'s function fails, Meta gets an answer it understands and a log line says why', () => {
  test('it throws on a data_exchange: the customer stays on the screen and sees the error message', async () => {
    standIn.userFunction = () => ({ errorType: 'BookingError', errorMessage: `no slot for ${CUSTOMER.name}` });
    const { result, answer, logs } = await call(plain, dataExchange);
    expect(result.statusCode).toBe(200);
    expect(answer).toEqual({ screen: 'PICK_SLOT', data: { error_message: 'Something went wrong. Please try again.' } });
    expect(records(logs)).toEqual([expect.objectContaining({ HandlerErrors: 1, reason: 'the handler function failed (BookingError)', action: 'data_exchange' })]);
  });

  test('it throws on INIT: 500, there is no screen to stay on', async () => {
    standIn.userFunction = () => ({ errorType: 'TypeError', errorMessage: `cannot read ${CUSTOMER.phone}` });
    const { result, logs } = await call(plain, { version: '3.0', action: 'INIT', flow_token: FLOW_TOKEN });
    expect(result.statusCode).toBe(500);
    expect(records(logs)).toEqual([expect.objectContaining({ HandlerErrors: 1, status: 500, reason: 'the handler function failed (TypeError)' })]);
  });

  test('it does not answer in time: the endpoint answers before its own budget runs out', async () => {
    standIn.userFunction = () => ({ delayMs: 4_000, payload: { screen: 'LATE', data: {} } });
    const { result, answer, logs, ms } = await call(plain, dataExchange, { budgetMs: 2_000 });
    expect(result.statusCode).toBe(200);
    expect(answer).toEqual({ screen: 'PICK_SLOT', data: { error_message: 'Something went wrong. Please try again.' } });
    expect(ms).toBeLessThan(2_000);
    expect(records(logs)).toEqual([expect.objectContaining({ HandlerErrors: 1, reason: 'the handler function did not answer in time' })]);
  });

  test.each([
    ['a string', 'OK', 'string'],
    ['an array', [1, 2], 'an array'],
    ['null', null, 'null'],
    ['nothing', undefined, 'undefined'],
  ])('it returns %s', async (_what, payload, described) => {
    standIn.userFunction = () => ({ payload });
    const { answer, logs } = await call(plain, dataExchange);
    expect(answer).toEqual({ screen: 'PICK_SLOT', data: { error_message: 'Something went wrong. Please try again.' } });
    expect(records(logs)).toEqual([expect.objectContaining({ HandlerErrors: 1, reason: `the handler function returned ${described}, not an object` })]);
  });

  test('Lambda refuses (throttles) the Invoke of a data_exchange: 200, the customer stays on the screen and may try again', async () => {
    standIn.userFunction = () => ({ invokeError: 'TooManyRequestsException', status: 429 });
    const { result, answer, logs } = await call(plain, dataExchange);
    expect(result.statusCode).toBe(200);
    expect(answer).toEqual({ screen: 'PICK_SLOT', data: { error_message: 'Something went wrong. Please try again.' } });
    expect(records(logs)).toEqual([expect.objectContaining({
      HandlerErrors: 1, status: 200, action: 'data_exchange', reason: 'the handler function could not be invoked (TooManyRequestsException)',
    })]);
    expect(standIn.count('lambda')).toBe(1);
  });

  test('Lambda refuses the Invoke of a BACK: 500, there is no screen to stay on', async () => {
    standIn.userFunction = () => ({ invokeError: 'TooManyRequestsException', status: 429 });
    const { result, logs } = await call(plain, { version: '3.0', action: 'BACK', screen: 'PICK_SLOT', flow_token: FLOW_TOKEN });
    expect(result.statusCode).toBe(500);
    expect(records(logs)).toEqual([expect.objectContaining({ HandlerErrors: 1, status: 500, reason: 'the handler function could not be invoked (TooManyRequestsException)' })]);
    expect(standIn.count('lambda')).toBe(1);
  });
});

describe('with the app secret: X-Hub-Signature-256 and flow_token_signature', () => {
  function signedCall(request: unknown, signature?: (body: string) => string) {
    const meta = metaRequest(keys.publicKey, request);
    const headers: Record<string, string> = signature ? { 'x-hub-signature-256': signature(meta.body) } : {};
    return signed.invoke(functionUrlEvent(meta.body, headers)).then((outcome) => {
      expectNoCustomerData(outcome.logs);
      return { outcome, meta };
    });
  }

  test('a request signed with the app secret is served; the secret is read once per sandbox', async () => {
    const first = await signedCall({ version: '3.0', action: 'ping' }, (b) => hubSignature(b, APP_SECRET));
    expect(decryptAnswer(first.meta, first.outcome.result!.body)).toEqual({ data: { status: 'active' } });
    await signedCall({ version: '3.0', action: 'ping' }, (b) => hubSignature(b, APP_SECRET));
    // The first request of this sandbox: it reads the secret, the second one uses the cached copy.
    expect(standIn.calls.filter((c) => c.service === 'secretsmanager').map((c) => c.body)).toEqual([{ SecretId: SECRET_ARN }]);
  });

  test.each([
    ['no signature', undefined],
    ['another secret', (b: string) => hubSignature(b, 'not-the-app-secret')],
    ['another body', () => hubSignature('{}', APP_SECRET)],
    ['no sha256= prefix', (b: string) => hubSignature(b, APP_SECRET).slice('sha256='.length)],
  ])('432 for %s, before anything is decrypted', async (_case, signature) => {
    const { outcome } = await signedCall(dataExchange, signature);
    expect(outcome.result!.statusCode).toBe(432);
    expect(standIn.count('kms')).toBe(0);
    expect(standIn.count('lambda')).toBe(0);
    expect(records(outcome.logs)).toEqual([expect.objectContaining({ SignatureFailures: 1, status: 432 })]);
  });

  const v4 = (claims: Record<string, unknown> | undefined, secret = APP_SECRET) => ({
    ...dataExchange, version: '4.0', ...(claims ? { flow_token_signature: hs256Jwt(claims, secret) } : {}),
  });
  const sign = (b: string) => hubSignature(b, APP_SECRET);

  test('data API 4.0 with a valid flow_token_signature is served', async () => {
    standIn.userFunction = () => ({ payload: { screen: 'CONFIRM', data: {} } });
    const { outcome } = await signedCall(v4({ flow_token: FLOW_TOKEN, exp: Date.now() / 1000 + 600 }), sign);
    expect(outcome.result!.statusCode).toBe(200);
    expect(standIn.count('lambda')).toBe(1);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const inTenMinutes = () => now() + 600;

  test.each([
    ['missing', () => undefined, 'flow_token_signature is missing'],
    ['signed with another secret', () => ({ flow_token: FLOW_TOKEN, exp: inTenMinutes() }), 'flow_token_signature does not verify with the app secret'],
    ['expired', () => ({ flow_token: FLOW_TOKEN, exp: 1_000 }), 'flow_token_signature has expired'],
    ['expired more than a minute ago', () => ({ flow_token: FLOW_TOKEN, exp: now() - 90 }), 'flow_token_signature has expired'],
    ['without exp', () => ({ flow_token: FLOW_TOKEN }), 'flow_token_signature has no numeric exp'],
    ['with an exp that is not a number', () => ({ flow_token: FLOW_TOKEN, exp: String(inTenMinutes()) }), 'flow_token_signature has no numeric exp'],
    ['not valid yet (nbf more than a minute ahead)', () => ({ flow_token: FLOW_TOKEN, exp: inTenMinutes(), nbf: now() + 300 }), 'flow_token_signature is not valid yet (nbf)'],
    ['with an nbf that is not a number', () => ({ flow_token: FLOW_TOKEN, exp: inTenMinutes(), nbf: 'now' }), 'flow_token_signature has an nbf that is not a number'],
    ['without a flow_token claim', () => ({ exp: inTenMinutes() }), 'flow_token_signature has no flow_token claim'],
    ['for another flow token', () => ({ flow_token: 'another-token', exp: inTenMinutes() }), 'flow_token_signature was made for another flow token'],
  ])('432 on data API 4.0 when flow_token_signature is %s', async (what, claims, reason) => {
    const request = what === 'signed with another secret' ? v4(claims(), 'not-the-app-secret') : v4(claims());
    const { outcome } = await signedCall(request, sign);
    expect(outcome.result!.statusCode).toBe(432);
    expect(standIn.count('lambda')).toBe(0);
    expect(records(outcome.logs)).toEqual([expect.objectContaining({ SignatureFailures: 1, reason })]);
  });

  test.each([
    ['HS512', 'HS512'],
    ['none', 'none'],
  ])('432 for a flow_token_signature that names %s: the algorithm is pinned to HS256', async (_alg, alg) => {
    const jwt = hs256Jwt({ flow_token: FLOW_TOKEN, exp: inTenMinutes() }, APP_SECRET, alg);
    const { outcome } = await signedCall({ ...dataExchange, version: '4.0', flow_token_signature: jwt }, sign);
    expect(outcome.result!.statusCode).toBe(432);
    expect(standIn.count('lambda')).toBe(0);
    expect(records(outcome.logs)).toEqual([expect.objectContaining({ SignatureFailures: 1, reason: 'flow_token_signature is not signed with HS256' })]);
  });

  test('a minute of clock skew is allowed on exp and nbf', async () => {
    const { outcome } = await signedCall(v4({ flow_token: FLOW_TOKEN, exp: now() - 30, nbf: now() + 30 }), sign);
    expect(outcome.result!.statusCode).toBe(200);
    expect(standIn.count('lambda')).toBe(1);
  });

  test('data API 3.0 has no flow_token_signature to check', async () => {
    const { outcome } = await signedCall(dataExchange, sign);
    expect(outcome.result!.statusCode).toBe(200);
  });
});

/** A sandbox of its own for one test: its budget and its copy of the app secret start fresh. */
async function withSandbox<T>(env: Record<string, string>, run: (sandbox: EndpointSandbox) => Promise<T>): Promise<T> {
  const sandbox = new EndpointSandbox(standIn.url, { [EndpointEnv.KMS_KEY_ID]: standIn.keyArn, [EndpointEnv.HANDLER_FUNCTION]: HANDLER_ARN, ...env });
  await sandbox.start();
  try {
    return await run(sandbox);
  } finally {
    await sandbox.stop();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ping = { version: '3.0', action: 'ping' };

describe('a key rotation: the previous key decrypts what Meta still encrypts with it', () => {
  const PREVIOUS_KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-00000000000a';
  let previous: { publicKey: KeyObject; privateKey: KeyObject };
  const rotating = { [EndpointEnv.PREVIOUS_KMS_KEY_ID]: PREVIOUS_KEY_ARN, [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '1000' };

  beforeAll(() => {
    previous = pair();
    standIn.addKey(PREVIOUS_KEY_ARN, previous.privateKey);
  });

  test('a request for the previous key is served: the current key, then the previous one', () => withSandbox(rotating, async (sandbox) => {
    standIn.userFunction = () => ({ payload: { screen: 'CONFIRM', data: {} } });
    const { result, answer, logs } = await call(sandbox, dataExchange, { publicKey: previous.publicKey });
    expect(result.statusCode).toBe(200);
    expect(answer).toEqual({ screen: 'CONFIRM', data: {} });
    expect(standIn.calls.filter((c) => c.service === 'kms').map((c) => c.body.KeyId)).toEqual([standIn.keyArn, PREVIOUS_KEY_ARN]);
    expect(standIn.count('lambda')).toBe(1);
    expect(logs).toEqual([]);
  }));

  test('a request for the current key costs one Decrypt', () => withSandbox(rotating, async (sandbox) => {
    const { result } = await call(sandbox, ping);
    expect(result.statusCode).toBe(200);
    expect(standIn.calls.filter((c) => c.service === 'kms').map((c) => c.body.KeyId)).toEqual([standIn.keyArn]);
  }));

  test('421 only when neither key fits', () => withSandbox(rotating, async (sandbox) => {
    const { result, logs } = await call(sandbox, dataExchange, { publicKey: pair().publicKey });
    expect(result.statusCode).toBe(421);
    expect(standIn.count('kms')).toBe(2);
    expect(standIn.count('lambda')).toBe(0);
    expect(records(logs)).toEqual([expect.objectContaining({
      DecryptionFailures: 1,
      status: 421,
      reason: 'decryption failed: KMS could not decrypt the AES key with the current key (InvalidCiphertextException) or the previous one (InvalidCiphertextException)',
    })]);
  }));
});

describe('forged traffic spends a bounded share of the KMS RSA quota', () => {
  /**
   * The budget counts when a Decrypt may go; the stand-in sees it arrive a few milliseconds later, by a delay that
   * varies: windows are checked this much shorter than a second.
   */
  const JITTER_MS = 50;
  /** A well-formed request anyone can make: the business public key is public. */
  const forged = () => functionUrlEvent(metaRequest(keys.publicKey, ping).body);

  /**
   * The sandbox's first Decrypt also sets up the SDK (credentials, signing, connection), which can take long enough
   * on a loaded machine to move the next Decrypt into another second: done, and its second passed.
   */
  async function warm(sandbox: EndpointSandbox): Promise<void> {
    expect((await sandbox.invoke(forged())).result!.statusCode).toBe(200);
    await sleep(1_000);
    standIn.reset();
  }

  test('a sandbox sends at most 5 Decrypts in any second; the rest are refused at once with 429 and DecryptThrottled', () => withSandbox({}, async (sandbox) => {
    await warm(sandbox);
    const outcomes = [];
    for (let i = 0; i < 15; i++) outcomes.push(await sandbox.invoke(forged()));
    const kmsAt = standIn.calls.filter((c) => c.service === 'kms').map((c) => c.at);
    for (const at of kmsAt) expect(kmsAt.filter((t) => t >= at && t < at + 1_000 - JITTER_MS).length).toBeLessThanOrEqual(5);
    const statuses = outcomes.map((o) => o.result!.statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
    const refused = outcomes.filter((o) => o.result!.statusCode === 429);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(kmsAt.length + refused.length).toBe(15);
    for (const outcome of refused) {
      expect(outcome.result!.headers['retry-after']).toBe('1');
      expect(outcome.ms).toBeLessThan(100);
      expect(records(outcome.logs)).toEqual([expect.objectContaining({ DecryptThrottled: 1, status: 429 })]);
    }
    // A second later the sandbox serves again.
    await sleep(1_000);
    expect((await sandbox.invoke(forged())).result!.statusCode).toBe(200);
  }));

  test('a Decrypt whose turn is near waits for it (at most 250 ms) instead of being refused', () => withSandbox({ [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '5' }, async (sandbox) => {
    await warm(sandbox);
    for (let i = 0; i < 5; i++) expect((await sandbox.invoke(forged())).result!.statusCode).toBe(200);
    const first = standIn.calls.find((c) => c.service === 'kms')!.at;
    await sleep(Math.max(0, first + 1_000 - 150 - Date.now()));
    const waited = await sandbox.invoke(forged());
    expect(waited.result!.statusCode).toBe(200);
    expect(standIn.calls.filter((c) => c.service === 'kms')[5].at).toBeGreaterThanOrEqual(first + 1_000 - JITTER_MS);
    // At most 250 ms of waiting, plus the request's own time on a loaded machine.
    expect(waited.ms).toBeLessThan(750);
  }));

  test('the SDK\'s retry of a failed Decrypt spends from the budget too', () => withSandbox({ [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '1' }, async (sandbox) => {
    await warm(sandbox);
    // A 5xx is retried after at most 200 ms (a throttle after up to a second, which could find the next second's turn).
    standIn.kmsFaults = [{ name: 'KMSInternalException', status: 500 }];
    const outcome = await sandbox.invoke(forged());
    expect(outcome.result!.statusCode).toBe(429);
    expect(standIn.count('kms')).toBe(1);
    expect(records(outcome.logs)).toEqual([expect.objectContaining({ DecryptThrottled: 1 })]);
  }));

  test('the previous key of a rotation spends from the budget too', () => withSandbox({
    [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '1',
    [EndpointEnv.PREVIOUS_KMS_KEY_ID]: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-00000000000b',
  }, async (sandbox) => {
    await warm(sandbox);
    const outcome = await sandbox.invoke(functionUrlEvent(metaRequest(pair().publicKey, ping).body));
    expect(outcome.result!.statusCode).toBe(429);
    expect(standIn.count('kms')).toBe(1);
  }));
});

describe('the app secret: read only when needed, bounded, and never blank', () => {
  const withSecret = { [EndpointEnv.APP_SECRET_ARN]: SECRET_ARN, [EndpointEnv.KMS_DECRYPTS_PER_SECOND]: '1000' };
  const secretReads = () => standIn.count('secretsmanager');

  /** One request as Meta sends it, signed with `key` (or with the given header), its logs checked for secrets. */
  async function signedWith(sandbox: EndpointSandbox, key: string | undefined, request: unknown = ping, header?: string) {
    const meta = metaRequest(keys.publicKey, request);
    const signature = header ?? (key === undefined ? undefined : hubSignature(meta.body, key));
    const outcome = await sandbox.invoke(functionUrlEvent(meta.body, signature ? { 'x-hub-signature-256': signature } : {}));
    expectNoCustomerData(outcome.logs);
    const text = outcome.logs.join('\n');
    // Secrets and signatures (their digest, not the fixed `sha256=` the log may name) never reach a log.
    for (const secret of [standIn.secretString, key, signature?.replace(/^sha\d+=/, '')]) if (secret && secret.trim().length >= 3) expect(text).not.toContain(secret.trim());
    return outcome;
  }

  test('a request without a well-formed X-Hub-Signature-256 is refused before the secret is read or KMS called', () => withSandbox(withSecret, async (sandbox) => {
    for (const header of [undefined, 'sha256=', 'sha256=xyz', `sha1=${'0'.repeat(40)}`, `sha256=${'0'.repeat(63)}`]) {
      const outcome = await signedWith(sandbox, undefined, dataExchange, header);
      expect(outcome.result!.statusCode).toBe(432);
      expect(records(outcome.logs)).toEqual([expect.objectContaining({
        SignatureFailures: 1, status: 432, reason: 'X-Hub-Signature-256 is missing or not sha256=<64 hex digits>',
      })]);
    }
    expect(standIn.calls).toEqual([]);
  }));

  test('a flood of well-formed forged signatures costs one read of the secret per sandbox and no KMS call', () => withSandbox(withSecret, async (sandbox) => {
    for (let i = 0; i < 20; i++) expect((await signedWith(sandbox, `forger-${i}`, dataExchange)).result!.statusCode).toBe(432);
    expect(secretReads()).toBe(1);
    expect(standIn.count('kms')).toBe(0);
    expect(standIn.count('lambda')).toBe(0);
  }));

  test('a rotated app secret is picked up a few seconds later, not five minutes', () => withSandbox(withSecret, async (sandbox) => {
    expect((await signedWith(sandbox, APP_SECRET)).result!.statusCode).toBe(200);
    standIn.secretString = 'rotated-app-secret';
    // Within five seconds of the last read the sandbox does not read again, whatever arrives.
    for (let i = 0; i < 5; i++) expect((await signedWith(sandbox, 'rotated-app-secret')).result!.statusCode).toBe(432);
    expect(secretReads()).toBe(1);
    await sleep(5_000);
    expect((await signedWith(sandbox, 'rotated-app-secret')).result!.statusCode).toBe(200);
    expect((await signedWith(sandbox, 'rotated-app-secret')).result!.statusCode).toBe(200);
    expect((await signedWith(sandbox, APP_SECRET)).result!.statusCode).toBe(432);
    expect(secretReads()).toBe(2);
  }));

  test.each([
    ['an empty', ''],
    ['a blank', ' \n\t '],
  ])('%s secret fails closed: 500 and EndpointErrors, and a signature made with an empty key does not verify', (_what, secretString) => withSandbox(withSecret, async (sandbox) => {
    standIn.secretString = secretString;
    for (let i = 0; i < 3; i++) {
      const outcome = await signedWith(sandbox, '', dataExchange);
      expect(outcome.result!.statusCode).toBe(500);
      expect(records(outcome.logs)).toEqual([expect.objectContaining({
        EndpointErrors: 1, status: 500, reason: 'the app secret is blank: nothing is verified with it',
      })]);
    }
    expect(standIn.count('kms')).toBe(0);
    expect(standIn.count('lambda')).toBe(0);
    // Read once: a blank secret is not read again at every request.
    expect(secretReads()).toBe(1);
  }));

  describe('a field of a JSON secret (APP_SECRET_FIELD)', () => {
    const withField = { ...withSecret, [EndpointEnv.APP_SECRET_FIELD]: 'appSecret' };

    test('the field\'s value is the app secret', () => withSandbox(withField, async (sandbox) => {
      standIn.secretString = JSON.stringify({ appId: '1234567890', appSecret: APP_SECRET });
      expect((await signedWith(sandbox, APP_SECRET)).result!.statusCode).toBe(200);
      expect((await signedWith(sandbox, standIn.secretString, dataExchange)).result!.statusCode).toBe(432);
      expect(standIn.count('kms')).toBe(1);
    }));

    test.each([
      ['without the field', { appId: '1234567890', secret: APP_SECRET }, 'the app secret has no field "appSecret"'],
      ['whose field is not a string', { appSecret: 1234 }, 'the app secret\'s field "appSecret" is not a string'],
      ['whose field is blank', { appSecret: '  ' }, 'the app secret\'s field "appSecret" is blank'],
      ['that is not JSON', APP_SECRET, 'the app secret is not JSON, so it has no field "appSecret"'],
    ])('a secret %s fails closed: 500 and EndpointErrors naming what is wrong', (_what, secret, reason) => withSandbox(withField, async (sandbox) => {
      standIn.secretString = typeof secret === 'string' ? secret : JSON.stringify(secret);
      for (const key of [APP_SECRET, '']) {
        const outcome = await signedWith(sandbox, key, dataExchange);
        expect(outcome.result!.statusCode).toBe(500);
        expect(records(outcome.logs)).toEqual([expect.objectContaining({ EndpointErrors: 1, status: 500, reason: `${reason}: nothing is verified with it` })]);
      }
      expect(standIn.count('kms')).toBe(0);
      expect(secretReads()).toBe(1);
    }));
  });
});
