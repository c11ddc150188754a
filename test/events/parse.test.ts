import {
  AWS_EXPIRY_WARNING, AWS_FLOW_RESPONSE_VALUE, AWS_STATUS_CHANGE, BSUID, bsuidFlowResponseValue, DELIVERED_STATUS_VALUE, entry, envelope,
  META_ENDPOINT_LATENCY_VALUE, META_EXPIRY_WARNING, META_STATUS_CHANGE_VALUE, metaFlowResponseValue, PARENT_BSUID,
  PHONE_NUMBER_ARN, PHONE_NUMBER_ID, TEXT_MESSAGE_VALUE, USERNAME, WABA_ARN, WABA_ID,
} from './payloads';
import { FlowEventDetailType } from '../../src/events/contract';
import { MalformedMessageError, parseMessage } from '../../src/events/parse';

const RECEIVED = '2025-01-08T23:30:43.271Z';

describe('Flow responses (nfm_reply)', () => {
  test('AWS\'s example: response_json string parsed; ids from the entry and the envelope', () => {
    const parsed = parseMessage(envelope(entry('messages', AWS_FLOW_RESPONSE_VALUE)));
    expect(parsed.ignored).toEqual([]);
    expect(parsed.events).toEqual([{
      detailType: FlowEventDetailType.RESPONSE,
      detail: {
        responseJson: { name: 'John Doe', email: 'john@example.com', phone: '+14085551234' },
        from: '14085551234',
        messageId: 'wamid.XXX',
        wabaId: WABA_ID,
        // The AWS example has no metadata: the envelope's phone number stands in.
        phoneNumberId: PHONE_NUMBER_ID,
        timestamp: '2009-02-13T23:31:30.000Z',
      },
      resources: [WABA_ARN, PHONE_NUMBER_ARN],
      time: new Date(1234567890 * 1000),
    }]);
  });

  test('Meta\'s example: flowToken, contextMessageId and the metadata\'s phone number', () => {
    const [event] = parseMessage(envelope(entry('messages', metaFlowResponseValue('booking-42')))).events;
    expect(event.detail).toEqual({
      flowToken: 'booking-42',
      responseJson: { flow_token: 'booking-42', optional_param1: '<value1>', optional_param2: '<value2>' },
      from: '16315551234',
      messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      contextMessageId: 'gBGGEiRVVgBPAgm7FUgc73noXjo',
      wabaId: WABA_ID,
      phoneNumberId: '106540352242922',
      timestamp: '2024-04-30T20:46:43.000Z',
    });
  });

  test('response_json sent as an object is taken as it is', () => {
    const answers = { flow_token: 'survey-7', rating: 5, comments: ['fast', 'friendly'] };
    const [event] = parseMessage(envelope(entry('messages', metaFlowResponseValue('survey-7', answers)))).events;
    expect(event.detail).toMatchObject({ flowToken: 'survey-7', responseJson: answers });
  });

  test('an nfm_reply that is not a Flow (address_message) is ignored', () => {
    const value = metaFlowResponseValue('x');
    (value.messages[0].interactive.nfm_reply as { name: string }).name = 'address_message';
    expect(parseMessage(envelope(entry('messages', value)))).toEqual({ events: [], ignored: ['messages/interactive/nfm_reply/address_message'] });
  });
});

describe('status changes and expiry warnings (field "flows")', () => {
  test('AWS\'s status change example, in the {"entry": [...]} shape', () => {
    expect(parseMessage(envelope(AWS_STATUS_CHANGE), { receivedAt: new Date(0) }).events).toEqual([{
      detailType: FlowEventDetailType.STATUS_CHANGE,
      detail: {
        flowId: '{FLOW_ID}',
        oldStatus: 'PUBLISHED',
        newStatus: 'BLOCKED',
        reason: 'Policy violation detected',
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        timestamp: RECEIVED,
      },
      resources: [WABA_ARN],
      time: new Date(RECEIVED),
    }]);
  });

  test('Meta\'s status change example, as a single entry: its message is kept', () => {
    const [event] = parseMessage(envelope(entry('flows', META_STATUS_CHANGE_VALUE))).events;
    expect(event.detailType).toBe(FlowEventDetailType.STATUS_CHANGE);
    expect(event.detail).toEqual({
      flowId: '6627390910605886',
      oldStatus: 'DRAFT',
      newStatus: 'PUBLISHED',
      message: 'Flow Webhook 3 changed status from DRAFT to PUBLISHED',
      wabaId: WABA_ID,
      timestamp: RECEIVED,
    });
  });

  test('AWS\'s expiry warning example', () => {
    const [event] = parseMessage(envelope(AWS_EXPIRY_WARNING)).events;
    expect(event.detailType).toBe(FlowEventDetailType.VERSION_EXPIRY_WARNING);
    expect(event.detail).toEqual({
      flowId: '{FLOW_ID}',
      warning: AWS_EXPIRY_WARNING.entry[0].changes[0].value.warning,
      wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
      timestamp: RECEIVED,
    });
  });

  test('Meta\'s expiry warning example: the entry\'s time is the event\'s time', () => {
    const [event] = parseMessage(envelope(META_EXPIRY_WARNING)).events;
    expect(event.detail).toMatchObject({ flowId: '6627390910605886', wabaId: '644600416743275', timestamp: '2023-05-24T23:02:20.000Z' });
  });

  test('a webhook entry given as an object rather than a JSON string is read the same', () => {
    expect(parseMessage(envelope(AWS_EXPIRY_WARNING, { entryAsObject: true }))).toEqual(parseMessage(envelope(AWS_EXPIRY_WARNING)));
  });

  test('without a message_timestamp, the time received stands in', () => {
    const message = JSON.stringify({ whatsAppWebhookEntry: JSON.stringify(entry('flows', META_STATUS_CHANGE_VALUE)) });
    const [event] = parseMessage(message, { receivedAt: new Date('2026-12-01T10:00:00Z') }).events;
    expect(event.detail.timestamp).toBe('2026-12-01T10:00:00.000Z');
    expect(event.resources).toEqual([]);
  });
});

describe('other WhatsApp events are ignored and named', () => {
  test('text messages, delivery receipts, endpoint alerts and other fields', () => {
    const message = envelope({
      id: WABA_ID,
      changes: [
        { field: 'messages', value: TEXT_MESSAGE_VALUE },
        { field: 'messages', value: DELIVERED_STATUS_VALUE },
        { field: 'flows', value: META_ENDPOINT_LATENCY_VALUE },
        { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 12345678 } },
        { field: 'messages', value: { messages: [{ type: 'interactive', interactive: { type: 'button_reply' }, from: '1', id: 'x' }] } },
      ],
    });
    expect(parseMessage(message)).toEqual({
      events: [],
      ignored: ['messages/text', 'statuses/delivered', 'flows/ENDPOINT_LATENCY', 'message_template_status_update', 'messages/interactive/button_reply'],
    });
  });

  test('Flow events and other events in one entry: each is found', () => {
    const message = envelope({
      id: WABA_ID,
      changes: [
        { field: 'messages', value: { ...TEXT_MESSAGE_VALUE, messages: [...TEXT_MESSAGE_VALUE.messages, ...metaFlowResponseValue('t-1').messages] } },
        { field: 'flows', value: META_STATUS_CHANGE_VALUE },
      ],
    });
    const parsed = parseMessage(message);
    expect(parsed.events.map(e => e.detailType)).toEqual([FlowEventDetailType.RESPONSE, FlowEventDetailType.STATUS_CHANGE]);
    expect(parsed.ignored).toEqual(['messages/text']);
  });
});

describe('malformed input: a clear error that names where, never what', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', 'this is not json {', /^the SNS message is not valid JSON \(18 characters\)$/],
    ['JSON but not an object', '[1,2]', /the SNS message is not a JSON object/],
    ['no whatsAppWebhookEntry', JSON.stringify({ context: {} }), /has no whatsAppWebhookEntry/],
    ['a whatsAppWebhookEntry string that is not JSON', JSON.stringify({ whatsAppWebhookEntry: '{"id": "secret-123' }), /^whatsAppWebhookEntry is not valid JSON/],
    ['a whatsAppWebhookEntry with neither changes nor entry', envelope({ id: WABA_ID }), /neither 'changes' nor 'entry'/],
    ['changes that are not an array', envelope({ entry: [{ id: WABA_ID, changes: {} }] }), /entry 0: 'changes' is not an array/],
    ['a change without a value', envelope({ id: WABA_ID, changes: [{ field: 'flows' }] }), /'value' is not an object/],
    ['a status change without new_status', envelope(entry('flows', { event: 'FLOW_STATUS_CHANGE', flow_id: '1' })), /'new_status' is missing/],
    ['an expiry warning without flow_id', envelope(entry('flows', { event: 'FLOW_VERSION_EXPIRY_WARNING', warning: 'w' })), /'flow_id' is missing/],
    ['a response whose response_json is not JSON', envelope(entry('messages', metaFlowResponseValue('t', '{"flow_token": "t", "name": "Jo'))),
      /entry 0, change 0 \(messages\), message 0: response_json is not valid JSON/],
    ['a response whose response_json is a JSON array', envelope(entry('messages', metaFlowResponseValue('t', '[1]'))), /response_json is not a JSON object/],
    ['a response without response_json', envelope(entry('messages', { messages: [{ ...AWS_FLOW_RESPONSE_VALUE.messages[0], interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow' } } }] })),
      /response_json is missing/],
    ['a response that names no sender (neither from nor from_user_id)', envelope(entry('messages', { messages: [{ ...AWS_FLOW_RESPONSE_VALUE.messages[0], from: undefined }] })),
      /neither 'from' nor 'from_user_id' names the sender/],
    ['an entry without an id and no WABA in context', JSON.stringify({ whatsAppWebhookEntry: JSON.stringify({ changes: [] }) }), /'id' is missing and context names no WABA/],
  ];

  test.each(cases)('%s', (_name, message, expected) => {
    let error: unknown;
    try {
      parseMessage(message);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MalformedMessageError);
    expect((error as Error).message).toMatch(expected);
  });

  test('the error never quotes the input', () => {
    const secret = '{"flow_token": "t", "ssn": "078-05-1120"';
    expect(() => parseMessage(envelope(entry('messages', metaFlowResponseValue('t', secret))))).toThrow(MalformedMessageError);
    try {
      parseMessage(envelope(entry('messages', metaFlowResponseValue('t', secret))));
    } catch (e) {
      expect((e as Error).message).not.toMatch(/078-05-1120|ssn|16315551234/);
    }
  });

  test('two responses in one change: each gets its own contact\'s BSUID, parent BSUID and username, never the other\'s', () => {
    const one = bsuidFlowResponseValue('t1', { messageId: 'wamid.1' });
    const reply = { ...one.messages[0], from_user_id: 'BR.222', id: 'wamid.2' };
    const value = { ...one, contacts: [{ profile: { name: 'B', username: '@b' }, user_id: 'BR.222' }, ...one.contacts], messages: [one.messages[0], reply] };
    const details = parseMessage(envelope(entry('messages', value))).events.map((e) => e.detail);
    expect(details.map((d: any) => [d.userId, d.parentUserId, d.username, d.from])).toEqual([
      [BSUID, PARENT_BSUID, USERNAME, undefined],
      ['BR.222', undefined, '@b', undefined],
    ]);
  });

  test('a contact that names another user is not the sender\'s', () => {
    const value = bsuidFlowResponseValue('t1');
    const detail = parseMessage(envelope(entry('messages', { ...value, contacts: [{ ...value.contacts[0], user_id: 'US.999' }] }))).events[0].detail;
    expect(detail).toMatchObject({ userId: BSUID });
    expect(detail).not.toHaveProperty('username');
    expect(detail).not.toHaveProperty('parentUserId');
  });

  test('a change without a field, or a flows change without an event, is other traffic: counted, not malformed', () => {
    const parsed = parseMessage(envelope({ id: WABA_ID, changes: [{ value: {} }, { field: 'flows', value: { flow_id: '1' } }] }));
    expect(parsed).toEqual({ events: [], ignored: ['unknown', 'flows/unknown'] });
  });

  test('a missing entry id falls back to the WABA the envelope names', () => {
    const [event] = parseMessage(envelope({ changes: [{ field: 'flows', value: META_STATUS_CHANGE_VALUE }] })).events;
    expect(event.detail.wabaId).toBe(WABA_ID);
  });
});
