/**
 * PhotoPicker/DocumentPicker files through the shipped endpoint bundle: Meta's request encrypted as Meta
 * does, its media entries naming files that a local HTTPS stand-in of WhatsApp's CDN serves encrypted exactly as the
 * CDN holds them (trusted through NODE_EXTRA_CA_CERTS in the sandbox's environment, as a Lambda function would be
 * configured); the bundled S3 client stores into a local S3 stand-in, whose bytes the test compares.
 */
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { decryptAnswer, metaRequest } from './meta';
import { cdnEncrypt, CdnFile, mediaEntry, photo, withFile } from './meta-media';
import { AwsStandIn } from './wire/aws-stand-in';
import { CdnStandIn, localhostCertificate } from './wire/cdn-stand-in';
import { S3StandIn } from './wire/s3-stand-in';
import { EndpointSandbox, functionUrlEvent } from './wire/sandbox';
import { EndpointEnv } from '../../src/endpoint/contract';
import { MEDIA_MAX_FILE_BYTES, MEDIA_MAX_FILES } from '../../src/endpoint/media-contract';

jest.setTimeout(120_000);

const HANDLER_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:claims-logic';
const BUCKET = 'claims-media';
const FLOW_TOKEN = 'flowtoken-CUSTOMER-media';

let keys: { publicKey: KeyObject; privateKey: KeyObject };
let aws: AwsStandIn;
let s3: S3StandIn;
const cdn = new CdnStandIn();
const other = new CdnStandIn();
let withBucket: EndpointSandbox;
let withoutBucket: EndpointSandbox;

beforeAll(async () => {
  keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  aws = new AwsStandIn(keys.privateKey);
  s3 = new S3StandIn();
  const [awsUrl, s3Url] = await Promise.all([aws.start(), s3.start(), cdn.start(), other.start()]);
  const env = { [EndpointEnv.KMS_KEY_ID]: aws.keyArn, [EndpointEnv.HANDLER_FUNCTION]: HANDLER_ARN };
  withBucket = new EndpointSandbox(awsUrl, {
    ...env,
    [EndpointEnv.MEDIA_BUCKET]: BUCKET,
    [EndpointEnv.MEDIA_HOSTS]: `*.whatsapp.net,${cdn.host}`,
    AWS_ENDPOINT_URL_S3: s3Url,
    NODE_EXTRA_CA_CERTS: localhostCertificate().caFile,
  });
  withoutBucket = new EndpointSandbox(awsUrl, env);
  await Promise.all([withBucket.start(), withoutBucket.start()]);
});

afterAll(async () => {
  await Promise.all([withBucket.stop(), withoutBucket.stop()]);
  await Promise.all([aws.stop(), s3.stop(), cdn.stop(), other.stop()]);
});

beforeEach(() => {
  aws.reset();
  s3.reset();
  cdn.reset();
  other.reset();
  aws.userFunction = () => ({ payload: { screen: 'DONE', data: {} } });
});

/** The request the user's function got. */
const handlerRequest = () => aws.calls.find((c) => c.service === 'lambda')?.body;
const records = (logs: string[]) => logs.map((l) => JSON.parse(l));

async function call(sandbox: EndpointSandbox, photos: Array<Record<string, unknown>>, budgetMs = 8_000) {
  const request = { version: '3.0', action: 'data_exchange', screen: 'CLAIM', flow_token: FLOW_TOKEN, data: { claim_photos: photos, note: 'rear bumper' } };
  const meta = metaRequest(keys.publicKey, request);
  const outcome = await sandbox.invoke(functionUrlEvent(meta.body), budgetMs);
  expect(outcome.error).toBeUndefined();
  // No URL, key, hash, file name or media id of any entry reaches a log line.
  const text = outcome.logs.join('\n');
  for (const entry of photos) {
    const metadata = entry.encryption_metadata as Record<string, string>;
    for (const secret of [entry.cdn_url, entry.file_name, entry.media_id, ...Object.values(metadata)]) expect(text).not.toContain(String(secret));
  }
  expect(text).not.toContain('localhost');
  const result = outcome.result!;
  return { result, answer: result.statusCode === 200 ? decryptAnswer(meta, result.body) : undefined, logs: outcome.logs, ms: outcome.ms };
}

function serve(path: string, file: CdnFile, fileName: string) {
  return mediaEntry(cdn.serve(path, { body: file.file }), fileName, file);
}

test('good files are stored byte for byte; the handler gets where they are, never a CDN URL or a key', async () => {
  const files = [cdnEncrypt(photo(5 * 1024 * 1024)), cdnEncrypt(photo(12_345)), cdnEncrypt(Buffer.from('%PDF-1.7 estimate'))];
  const entries = [serve('/v/1.enc', files[0], 'IMG_0001.jpg'), serve('/v/2.enc', files[1], 'IMG_0002.png'), serve('/v/3.enc', files[2], 'estimate.pdf')];
  const { result, answer, logs } = await call(withBucket, entries);
  expect(result.statusCode).toBe(200);
  expect(answer).toEqual({ screen: 'DONE', data: {} });
  expect(logs).toEqual([]);
  const got = handlerRequest();
  expect(JSON.stringify(got)).not.toMatch(/cdn_url|encryption|localhost|hmac/);
  expect(got.data.note).toBe('rear bumper');
  expect(got.data.claim_photos.map((p: any) => [p.fileName, p.mediaId, p.bucket, p.size, p.contentType])).toEqual([
    ['IMG_0001.jpg', 'media-IMG_0001.jpg', BUCKET, 5 * 1024 * 1024, 'image/jpeg'],
    ['IMG_0002.png', 'media-IMG_0002.png', BUCKET, 12_345, 'image/png'],
    ['estimate.pdf', 'media-estimate.pdf', BUCKET, 17, 'application/pdf'],
  ]);
  got.data.claim_photos.forEach((p: any, i: number) => {
    expect(p.key).toMatch(/^whatsapp-flow-media\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{64}\.(jpg|png|pdf)$/);
    expect(p.sha256).toBe(files[i].metadata.plaintext_hash);
    const stored = s3.object(BUCKET, p.key)!;
    expect(stored.body.equals(files[i].plaintext)).toBe(true);
    expect(stored.headers['content-type']).toBe(p.contentType);
    expect(stored.headers['x-amz-checksum-sha256']).toBe(p.sha256);
    expect(stored.headers['content-disposition']).toContain(`filename="${p.fileName}"`);
  });
});

test('tampered, truncated, oversized and foreign-host files are not stored, are counted, and are named to the handler', async () => {
  const good = cdnEncrypt(photo(40_000));
  const hashTampered = cdnEncrypt(photo(40_000));
  const macTampered = cdnEncrypt(photo(40_000));
  const flipped = Buffer.from(macTampered.file);
  flipped[5] ^= 0xff; // eslint-disable-line no-bitwise
  const truncated = cdnEncrypt(photo(40_000));
  const oversized = cdnEncrypt(photo(MEDIA_MAX_FILE_BYTES + 16));
  other.serve('/internal', { body: Buffer.from('an internal service') });
  const foreign = cdnEncrypt(photo(10));
  const entries = [
    serve('/good', good, 'good.jpg'),
    serve('/hash', { ...hashTampered, file: Buffer.concat([hashTampered.file, Buffer.from('x')]) }, 'hash.jpg'),
    serve('/mac', withFile(macTampered, flipped), 'mac.jpg'),
    mediaEntry(cdn.serve('/cut', { body: truncated.file, cutAfter: 1_000 }), 'cut.jpg', truncated),
    serve('/big', oversized, 'big.jpg'),
    mediaEntry(other.url('/internal'), 'ssrf.jpg', foreign),
    mediaEntry(`https://127.0.0.1:${cdn.port}/good`, 'ip.jpg', good),
  ];
  const { result, logs } = await call(withBucket, entries);
  expect(result.statusCode).toBe(200);
  expect(handlerRequest().data.claim_photos.map((p: any) => [p.fileName, p.error ?? 'stored'])).toEqual([
    ['good.jpg', 'stored'],
    ['hash.jpg', 'verification_failed'],
    ['mac.jpg', 'verification_failed'],
    ['cut.jpg', 'download_failed'],
    ['big.jpg', 'too_large'],
    ['ssrf.jpg', 'host_not_allowed'],
    ['ip.jpg', 'host_not_allowed'],
  ]);
  expect([...s3.objects.values()].map((o) => o.body.equals(good.plaintext))).toEqual([true]);
  expect(other.hits).toEqual([]);
  expect(cdn.hits.sort()).toEqual(['/big', '/cut', '/good', '/hash', '/mac']);
  // One record per file, in the order the files finished.
  expect(records(logs).every((r) => r.MediaRejected === 1 && r.status === 200 && r.action === 'data_exchange' && r.screen === 'CLAIM')).toBe(true);
  expect(records(logs).map((r) => r.reason).sort()).toEqual([
    'media file not stored: download_failed (cut off)',
    'media file not stored: host_not_allowed',
    'media file not stored: host_not_allowed',
    'media file not stored: too_large (Content-Length)',
    'media file not stored: verification_failed (encrypted_hash)',
    'media file not stored: verification_failed (hmac)',
  ]);
});

test(`at Meta's limits: ${MEDIA_MAX_FILES} files and a file of 25,600 KiB are stored; one file more is refused`, async () => {
  const largest = cdnEncrypt(photo(MEDIA_MAX_FILE_BYTES));
  const entries = [serve('/max', largest, 'max.jpg')];
  for (let i = 1; i <= MEDIA_MAX_FILES; i++) entries.push(serve(`/p${i}`, cdnEncrypt(photo(1_000 + i)), `p${i}.jpg`));
  const { result, logs } = await call(withBucket, entries);
  expect(result.statusCode).toBe(200);
  const got = handlerRequest().data.claim_photos;
  expect(got.filter((p: any) => p.key)).toHaveLength(MEDIA_MAX_FILES);
  expect(got[MEDIA_MAX_FILES]).toEqual({ fileName: `p${MEDIA_MAX_FILES}.jpg`, mediaId: `media-p${MEDIA_MAX_FILES}.jpg`, error: 'too_many_files' });
  expect(s3.object(BUCKET, got[0].key)!.body.equals(largest.plaintext)).toBe(true);
  expect(records(logs).map((r) => r.reason)).toEqual(['media file not stored: too_many_files']);
});

test('a CDN too slow for the deadline: the file is timed_out, and the handler still gets its time and answers', async () => {
  const slow = cdnEncrypt(photo(1_000));
  const { result, answer, ms, logs } = await call(withBucket, [mediaEntry(cdn.serve('/slow', { body: slow.file, delayMs: 6_000 }), 'slow.jpg', slow)], 6_000);
  expect(result.statusCode).toBe(200);
  expect(answer).toEqual({ screen: 'DONE', data: {} });
  expect(handlerRequest().data.claim_photos).toEqual([{ fileName: 'slow.jpg', mediaId: 'media-slow.jpg', error: 'timed_out' }]);
  // Media gets the budget less 3.7 s: 2.3 s here.
  expect(ms).toBeGreaterThan(2_000);
  expect(ms).toBeLessThan(3_500);
  expect(records(logs).map((r) => r.reason)).toEqual([expect.stringMatching(/^media file not stored: timed_out/)]);
});

test('S3 refusing the PutObject: store_failed, named by S3\'s error code', async () => {
  s3.faults = [{ code: 'AccessDenied', status: 403 }];
  const file = cdnEncrypt(photo(1_000));
  const { logs } = await call(withBucket, [serve('/a', file, 'a.jpg')]);
  expect(handlerRequest().data.claim_photos[0].error).toBe('store_failed');
  expect(records(logs).map((r) => r.reason)).toEqual(['media file not stored: store_failed (AccessDenied)']);
});

test('without a bucket: media entries reach the handler as Meta sent them, nothing is fetched, nothing is logged', async () => {
  const file = cdnEncrypt(photo(1_000));
  const entry = serve('/a', file, 'a.jpg');
  const { result, logs } = await call(withoutBucket, [entry]);
  expect(result.statusCode).toBe(200);
  expect(handlerRequest().data.claim_photos).toEqual([entry]);
  expect(cdn.hits).toEqual([]);
  expect(logs).toEqual([]);
});
