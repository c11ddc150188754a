/**
 * Media of completed Flows, through the shipped events function: the bundled SocialMessaging client calls a local
 * GetWhatsAppMessageMedia (the Social Messaging double), which copies each file into the double's S3 objects; the
 * events go to the local EventBridge stand-in.
 */
import { createHash } from 'crypto';
import { bsuidFlowResponseValue, entry, envelope, mediaResponseJson, metaFlowResponseValue, snsEvent, TEXT_MESSAGE_VALUE } from './payloads';
import { EventBridgeStandIn } from './wire/eventbridge';
import { FlowEventsFunctionSandbox } from './wire/sandbox';
import { SocialMessagingDouble, startSocialMessagingDouble } from '../wire/double';

jest.setTimeout(60_000);

const BUCKET = 'flow-media-bucket';
const PREFIX = 'uploads/';
/** The phone number of the recorded envelope (PHONE_NUMBER_ARN), as GetWhatsAppMessageMedia names it. */
const PHONE_NUMBER_ID = 'phone-number-id-976c72a700aac43eaf573ae050example';
const CUSTOMER_DATA = ['IMG_5237.jpg', 'passport.pdf', 'John Doe', 'booking-', 'wamid.', 'mmg.whatsapp.net', 'lPa4SXcWbk3sy2so3OxjyXmpV4aE6CcIKd'];

let standIn: EventBridgeStandIn;
let double: SocialMessagingDouble;
let withBucket: FlowEventsFunctionSandbox;
let withoutBucket: FlowEventsFunctionSandbox;

beforeAll(async () => {
  standIn = new EventBridgeStandIn();
  double = await startSocialMessagingDouble();
  const eventBridge = await standIn.start();
  withBucket = new FlowEventsFunctionSandbox(eventBridge, {
    AWS_ENDPOINT_URL_SOCIALMESSAGING: double.endpoint, MEDIA_BUCKET_NAME: BUCKET, MEDIA_KEY_PREFIX: PREFIX,
  });
  withoutBucket = new FlowEventsFunctionSandbox(eventBridge, { AWS_ENDPOINT_URL_SOCIALMESSAGING: double.endpoint });
  await withBucket.start();
  await withoutBucket.start();
});

afterAll(async () => {
  await withBucket.stop();
  await withoutBucket.stop();
  await double.stop();
  await standIn.stop();
});

beforeEach(() => {
  standIn.reset();
  double.reset();
  double.media.put('3631120727156756', { body: Buffer.from('jpeg bytes'), mimeType: 'image/jpeg', phoneNumberId: PHONE_NUMBER_ID });
  double.media.put('3631120727156757', { body: Buffer.from('pdf bytes!!'), mimeType: 'application/pdf', phoneNumberId: PHONE_NUMBER_ID });
});

const details = () => standIn.accepted.map((e) => JSON.parse(e.Detail));
const reportOf = (logs: string[]) => JSON.parse(logs.find((l) => l.includes('"_aws"'))!);
const messageKey = (messageId: string) => createHash('sha256').update(messageId).digest('hex').slice(0, 32);

/** Meta's documented response-message shape, plus the data_exchange fields Meta must never see forwarded. */
function mediaResponse(messageId = 'wamid.media-1'): string {
  const responseJson = JSON.parse(mediaResponseJson('booking-m1',
    [{ id: '3631120727156756', name: 'IMG_5237.jpg' }, { id: '9999999999', name: 'gone.jpg' }],
    [{ id: '3631120727156757', name: 'passport.pdf' }]));
  Object.assign(responseJson.photo_picker[0], {
    cdn_url: 'https://mmg.whatsapp.net/v/redacted',
    encryption_metadata: { encryption_key: 'lPa4SXcWbk3sy2so3OxjyXmpV4aE6CcIKd+4byr5hBw=', hmac_key: 'x', iv: 'y', encrypted_hash: 'z', plaintext_hash: 'w' },
  });
  return envelope(entry('messages', bsuidFlowResponseValue('booking-m1', { messageId, responseJson: JSON.stringify(responseJson) })));
}

test('with a bucket: AWS copies each file under the prefix; the event carries bucket and key, a failed file is named', async () => {
  const outcome = await withBucket.invoke(snsEvent([mediaResponse(), envelope(entry('messages', TEXT_MESSAGE_VALUE))]));
  expect(outcome.error).toBeUndefined();
  const folder = `${PREFIX}${PHONE_NUMBER_ID}/${messageKey('wamid.media-1')}/`;
  // GetWhatsAppMessageMedia was asked by the phone number's ARN, with the key prefix; AWS appends the media id.
  expect(double.media.calls.map((c) => [c.mediaId, c.bucketName, c.key]).sort()).toEqual([
    ['3631120727156756', BUCKET, folder], ['3631120727156757', BUCKET, folder], ['9999999999', BUCKET, folder],
  ]);
  expect(double.media.calls.every((c) => c.originationPhoneNumberId.endsWith(':phone-number-id/976c72a700aac43eaf573ae050example'))).toBe(true);
  expect(double.s3.get(BUCKET, `${folder}3631120727156756`)?.toString()).toBe('jpeg bytes');
  expect(double.s3.get(BUCKET, `${folder}3631120727156757`)?.toString()).toBe('pdf bytes!!');
  expect(double.s3.get(BUCKET, `${folder}9999999999`)).toBeUndefined();

  const [detail] = details();
  expect(detail.responseJson).toEqual({
    flow_token: 'booking-m1',
    name: 'John Doe',
    photo_picker: [{ fileName: 'IMG_5237.jpg', bucket: BUCKET, key: `${folder}3631120727156756`, size: 10, sha256: 'sha-3631120727156756', contentType: 'image/jpeg' }],
    document_picker: [{ fileName: 'passport.pdf', bucket: BUCKET, key: `${folder}3631120727156757`, size: 11, sha256: 'sha-3631120727156757', contentType: 'application/pdf' }],
  });
  expect(detail.mediaErrors).toEqual([{ field: 'photo_picker', fileName: 'gone.jpg', reason: 'ResourceNotFoundException' }]);
  // Meta's entries (media id, CDN URL, decryption keys) are gone: only the stored files reach the bus.
  const wire = standIn.accepted[0].Detail;
  for (const secret of ['mmg.whatsapp.net', 'cdn_url', 'encryption', 'hmac_key', '"id":', 'mime_type']) expect(wire).not.toContain(secret);
  expect(reportOf(outcome.logs)).toMatchObject({ StoredMediaFiles: 2, FailedMediaFiles: 1, FlowResponses: 1, IgnoredEvents: 1 });
  const logs = outcome.logs.join('\n');
  for (const value of CUSTOMER_DATA) expect(logs).not.toContain(value);
});

test('a repeated delivery writes the same keys again: no second copy', async () => {
  await withBucket.invoke(snsEvent([mediaResponse()]));
  await withBucket.invoke(snsEvent([mediaResponse()]));
  const keys = new Set(double.media.calls.map((c) => `${c.key}${c.mediaId}`));
  expect(keys.size).toBe(3);
  expect(details()[0].responseJson).toEqual(details()[1].responseJson);
});

test('GetWhatsAppMessageMedia throttled: the file is named in the event and counted; the event is still published', async () => {
  double.faults.always('GetWhatsAppMessageMedia', 'ThrottledRequestException');
  const outcome = await withBucket.invoke(snsEvent([mediaResponse('wamid.media-2')]));
  expect(outcome.error).toBeUndefined();
  const [detail] = details();
  expect(detail.mediaErrors).toEqual([
    { field: 'photo_picker', fileName: 'IMG_5237.jpg', reason: 'ThrottledRequestException' },
    { field: 'photo_picker', fileName: 'gone.jpg', reason: 'ThrottledRequestException' },
    { field: 'document_picker', fileName: 'passport.pdf', reason: 'ThrottledRequestException' },
  ]);
  expect(detail.responseJson.photo_picker).toEqual([]);
  expect(double.s3.get(BUCKET, `${PREFIX}${PHONE_NUMBER_ID}/${messageKey('wamid.media-2')}/3631120727156756`)).toBeUndefined();
  expect(reportOf(outcome.logs)).toMatchObject({ StoredMediaFiles: 0, FailedMediaFiles: 3 });
});

test('without a bucket: Meta\'s file entries pass through, without CDN URL or decryption keys; nothing is copied', async () => {
  const outcome = await withoutBucket.invoke(snsEvent([mediaResponse()]));
  expect(outcome.error).toBeUndefined();
  expect(double.media.calls).toEqual([]);
  const [detail] = details();
  expect(detail.responseJson.photo_picker).toEqual([
    { file_name: 'IMG_5237.jpg', mime_type: 'image/jpeg', sha256: 'sha-3631120727156756', id: '3631120727156756' },
    { file_name: 'gone.jpg', mime_type: 'image/jpeg', sha256: 'sha-9999999999', id: '9999999999' },
  ]);
  expect(standIn.accepted[0].Detail).not.toMatch(/mmg\.whatsapp\.net|encryption_metadata|lPa4SXcWbk3/);
  expect(reportOf(outcome.logs)).toMatchObject({ StoredMediaFiles: 0, FailedMediaFiles: 0 });
});

test('with a bucket, a response without media makes no call', async () => {
  const outcome = await withBucket.invoke(snsEvent([envelope(entry('messages', metaFlowResponseValue('booking-plain')))]));
  expect(outcome.error).toBeUndefined();
  expect(double.media.calls).toEqual([]);
  expect(details()[0].flowToken).toBe('booking-plain');
});

test('a media id that is not Meta\'s shape is refused without a call, and no key is built from it', async () => {
  const responseJson = mediaResponseJson('booking-m3', [{ id: '../../other-prefix/x', name: 'odd.jpg' }, { id: '3631120727156756', name: 'IMG_5237.jpg' }]);
  const outcome = await withBucket.invoke(snsEvent([envelope(entry('messages', bsuidFlowResponseValue('booking-m3', { messageId: 'wamid.m3', responseJson })))]));
  expect(outcome.error).toBeUndefined();
  expect(double.media.calls.map((c) => c.mediaId)).toEqual(['3631120727156756']);
  const [detail] = details();
  expect(detail.mediaErrors).toEqual([{ field: 'photo_picker', fileName: 'odd.jpg', reason: 'InvalidMediaId' }]);
  expect(detail.responseJson.photo_picker.map((f: any) => f.fileName)).toEqual(['IMG_5237.jpg']);
  expect(reportOf(outcome.logs)).toMatchObject({ StoredMediaFiles: 1, FailedMediaFiles: 1 });
});
