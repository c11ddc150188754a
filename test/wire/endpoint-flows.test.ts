import * as fs from 'fs';
import * as path from 'path';
import { SocialMessagingDouble, startSocialMessagingDouble } from './double';
import { DeclaredFlow, FlowStack, HandlerFunction, mismatches, synthesizeFlows } from './driver';
import { FlowCategory } from '../../src';

/** A dynamic Flow (Meta's appointment booking sample) deployed with its endpoint through the shipped handler. */

const DYNAMIC = fs.readFileSync(path.join(__dirname, '..', 'validator', 'flows', 'valid', 'meta-appointment-booking-dynamic.json'), 'utf8');
const FIRST_URL = 'https://flows.example.com/booking';
const SECOND_URL = 'https://abcdefghij.lambda-url.us-east-1.on.aws/';

let double: SocialMessagingDouble;
let handler: HandlerFunction;
let flows: Record<string, DeclaredFlow>;

beforeAll(async () => {
  const draft = { flowName: 'booking', categories: [FlowCategory.APPOINTMENT_BOOKING], json: DYNAMIC, endpointUrl: FIRST_URL };
  flows = synthesizeFlows({
    draft,
    moved: { ...draft, endpointUrl: SECOND_URL },
    published: { ...draft, endpointUrl: SECOND_URL, publish: true },
    withApp: { ...draft, endpointUrl: SECOND_URL, publish: true, metaAppId: '123456789' },
  });
  double = await startSocialMessagingDouble();
  handler = new HandlerFunction(double.endpoint);
});

afterAll(async () => {
  await handler.close();
  await double.stop();
});

beforeEach(() => double.reset());

const record = (stack: FlowStack) => double.state.find(stack.current!.physicalId)!;

test('create sends the endpoint; a changed endpoint is one UpdateWhatsAppFlow; then publish', async () => {
  const stack = new FlowStack(double, handler);

  expect((await stack.deploy(flows.draft)).ok).toBe(true);
  expect(record(stack).endpointUri).toBe(FIRST_URL);
  expect(double.calls.mutating().map(c => c.operation)).toEqual(['CreateWhatsAppFlow']);

  double.calls.clear();
  expect((await stack.deploy(flows.moved)).ok).toBe(true);
  expect(record(stack).endpointUri).toBe(SECOND_URL);
  expect(double.calls.mutating().map(c => c.operation)).toEqual(['UpdateWhatsAppFlow']);

  double.calls.clear();
  expect((await stack.deploy(flows.published)).ok).toBe(true);
  expect(double.calls.mutating().map(c => c.operation)).toEqual(['PublishWhatsAppFlow']);
  expect(mismatches(double, stack.current!.physicalId, flows.published)).toEqual([]);
});

test('a Meta app given at creation is attached before the Flow is published', async () => {
  const stack = new FlowStack(double, handler);

  expect((await stack.deploy(flows.withApp)).ok).toBe(true);
  expect(record(stack)).toMatchObject({ endpointUri: SECOND_URL, metaAppId: '123456789', status: 'PUBLISHED' });
  expect(double.calls.mutating().map(c => c.operation)).toEqual(['CreateWhatsAppFlow', 'UpdateWhatsAppFlow', 'PublishWhatsAppFlow']);
});
