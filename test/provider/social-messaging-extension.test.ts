import { GetWhatsAppFlowCommand, ResourceNotFoundException, SocialMessagingClient, ValidationException } from '@aws-sdk/client-socialmessaging';
import {
  CreateWhatsAppFlowWithEndpointCommand,
  GetWhatsAppBusinessPublicKeyCommand,
  PutWhatsAppBusinessPublicKeyCommand,
  UpdateWhatsAppFlowWithEndpointCommand,
} from '../../src/provider/social-messaging-extension';
import { SocialMessagingDouble, startSocialMessagingDouble } from '../wire/double';

/** The SDK extension through the real client on the wire: the new keys and operations reach the service, signed. */

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const PHONE = 'phone-number-id-0123456789abcdef0123456789abcdef';
const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

let double: SocialMessagingDouble;
let client: SocialMessagingClient;
const requests: Array<{ method: string; path: string; body: string; authorization?: string }> = [];

beforeAll(async () => {
  double = await startSocialMessagingDouble();
  client = new SocialMessagingClient({ ...double.clientConfig });
  // What went over the wire, as the client finally sent it (after signing).
  client.middlewareStack.add((next) => async (args) => {
    const request = args.request as { method: string; path: string; body?: unknown; headers: Record<string, string> };
    requests.push({ method: request.method, path: request.path, body: bodyText(request.body), authorization: request.headers.authorization });
    return next(args);
  }, { step: 'finalizeRequest', priority: 'low', name: 'recordRequests' });
});

/** The body as text: the SDK sends JSON as bytes (a Uint8Array), and reading bytes as a string is deprecated. */
function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return String(body);
}

afterAll(async () => {
  client.destroy();
  await double.stop();
});

beforeEach(() => {
  double.reset();
  requests.length = 0;
});

test('CreateWhatsAppFlow carries endpointUri in its JSON body, signed, and the service keeps it', async () => {
  const created = await client.send(new CreateWhatsAppFlowWithEndpointCommand({
    id: WABA,
    flowName: 'booking',
    categories: ['APPOINTMENT_BOOKING'],
    flowJson: Buffer.from('{"version":"7.3","screens":[]}'),
    endpointUri: 'https://flows.example.com/booking',
  }));

  expect(requests[0]).toMatchObject({ method: 'POST', path: '/v1/whatsapp/flow/create', authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 /) });
  expect(JSON.parse(requests[0].body)).toMatchObject({ id: WABA, endpointUri: 'https://flows.example.com/booking' });
  const flow = await client.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: created.flowId }));
  expect(flow.endpointUri).toBe('https://flows.example.com/booking');
});

test('UpdateWhatsAppFlow carries endpointUri and metaAppId; the service\'s errors are the client\'s modeled exceptions', async () => {
  const { flowId } = await client.send(new CreateWhatsAppFlowWithEndpointCommand({ id: WABA, flowName: 'booking', categories: ['OTHER'] }));
  await client.send(new UpdateWhatsAppFlowWithEndpointCommand({ id: WABA, flowId: flowId!, endpointUri: 'https://new.example.com/e', metaAppId: '1234' }));

  expect(JSON.parse(requests[1].body)).toEqual({ id: WABA, flowId, endpointUri: 'https://new.example.com/e', metaAppId: '1234' });
  expect(double.state.find(flowId!)).toMatchObject({ endpointUri: 'https://new.example.com/e', metaAppId: '1234' });
  await expect(client.send(new UpdateWhatsAppFlowWithEndpointCommand({ id: WABA, flowId: flowId!, metaAppId: '999' })))
    .rejects.toBeInstanceOf(ValidationException);
  await expect(client.send(new UpdateWhatsAppFlowWithEndpointCommand({ id: WABA, flowId: '42' })))
    .rejects.toBeInstanceOf(ResourceNotFoundException);
});

test('PutWhatsAppBusinessPublicKey is PUT with a JSON body; GetWhatsAppBusinessPublicKey is GET with the id in the query', async () => {
  await client.send(new PutWhatsAppBusinessPublicKeyCommand({ originationPhoneNumberId: PHONE, kmsKeyArn: KEY_ARN }));
  double.keys.signatureStatus.set(PHONE, 'MISMATCH');
  const key = await client.send(new GetWhatsAppBusinessPublicKeyCommand({ originationPhoneNumberId: PHONE }));

  expect(requests.map(r => `${r.method} ${r.path}`)).toEqual(['PUT /v1/whatsapp/business-public-key', 'GET /v1/whatsapp/business-public-key']);
  expect(JSON.parse(requests[0].body)).toEqual({ originationPhoneNumberId: PHONE, kmsKeyArn: KEY_ARN });
  expect(double.calls.all('GetWhatsAppBusinessPublicKey')).toHaveLength(1);
  expect(double.keys.registered(PHONE)).toEqual({ kmsKeyArn: KEY_ARN });
  expect(key).toMatchObject({ businessPublicKey: expect.stringContaining('BEGIN PUBLIC KEY'), businessPublicKeySignatureStatus: 'MISMATCH' });
  await expect(client.send(new PutWhatsAppBusinessPublicKeyCommand({ originationPhoneNumberId: PHONE })))
    .rejects.toBeInstanceOf(ValidationException);
});
