/**
 * Recorded payloads, as AWS End User Messaging Social and Meta document them:
 * - the envelope: AWS "Message and event format in AWS End User Messaging Social";
 * - the Flow response, status change and expiry warning: AWS "Receiving Flow responses and status changes";
 * - the response with `context` and `flow_token`, the status change with `message`, the expiry warning with `time`:
 *   Meta's "Flows Webhooks" and "Receiving Flow Response" guides;
 * - a text message and a delivery status: Meta's messages webhook reference.
 */
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';

export const WABA_ID = '1234567890abcde';
export const PHONE_NUMBER_ID = 'abcde1234567890';
export const WABA_ARN = 'arn:aws:social-messaging:us-east-1:123456789012:waba/fb2594b8a7974770b128a409e2example';
export const PHONE_NUMBER_ARN = 'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/976c72a700aac43eaf573ae050example';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:waba-events';

/** AWS's documented envelope, around a webhook entry given as an object (it is sent as a JSON string). */
export function envelope(webhookEntry: unknown, options: { entryAsObject?: boolean } = {}): string {
  return JSON.stringify({
    context: {
      MetaWabaIds: [{ wabaId: WABA_ID, arn: WABA_ARN }],
      MetaPhoneNumberIds: [{ metaPhoneNumberId: PHONE_NUMBER_ID, arn: PHONE_NUMBER_ARN }],
    },
    whatsAppWebhookEntry: options.entryAsObject ? webhookEntry : JSON.stringify(webhookEntry),
    aws_account_id: '123456789012',
    message_timestamp: '2025-01-08T23:30:43.271279391Z',
    messageId: '6d69f07a-c317-4278-9d5c-6a84078419ec',
  });
}

/** One webhook entry of the WABA, with one change. */
export function entry(field: string, value: unknown, extra: Record<string, unknown> = {}) {
  return { id: WABA_ID, ...extra, changes: [{ value, field }] };
}

/** AWS's Flow response example: `response_json` as a JSON string, no `context`, no `flow_token`, no metadata. */
export const AWS_FLOW_RESPONSE_VALUE = {
  messages: [{
    from: '14085551234',
    id: 'wamid.XXX',
    timestamp: '1234567890',
    type: 'interactive',
    interactive: {
      type: 'nfm_reply',
      nfm_reply: {
        response_json: '{"name":"John Doe","email":"john@example.com","phone":"+14085551234"}',
        body: 'Sent',
        name: 'flow',
      },
    },
  }],
};

/** Meta's Flow response example, with the message that carried the Flow and the sender's `flow_token`. */
export function metaFlowResponseValue(flowToken: string, responseJson: unknown = `{"flow_token": "${flowToken}", "optional_param1": "<value1>", "optional_param2": "<value2>"}`) {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '16505551111', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: '16315551234' }],
    messages: [{
      context: { from: '16315558151', id: 'gBGGEiRVVgBPAgm7FUgc73noXjo' },
      from: '16315551234',
      id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      type: 'interactive',
      interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: responseJson } },
      timestamp: '1714510003',
    }],
  };
}

/** AWS's status change example, in the `{"entry": [...]}` shape. */
export const AWS_STATUS_CHANGE = {
  entry: [{
    id: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
    changes: [{
      value: { event: 'FLOW_STATUS_CHANGE', flow_id: '{FLOW_ID}', old_status: 'PUBLISHED', new_status: 'BLOCKED', reason: 'Policy violation detected' },
      field: 'flows',
    }],
  }],
};

/** Meta's status change example: a `message` rather than a `reason`. */
export const META_STATUS_CHANGE_VALUE = {
  event: 'FLOW_STATUS_CHANGE',
  message: 'Flow Webhook 3 changed status from DRAFT to PUBLISHED',
  flow_id: '6627390910605886',
  old_status: 'DRAFT',
  new_status: 'PUBLISHED',
};

/** AWS's version expiry warning example, in the `{"entry": [...]}` shape. */
export const AWS_EXPIRY_WARNING = {
  entry: [{
    id: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
    changes: [{
      value: {
        event: 'FLOW_VERSION_EXPIRY_WARNING',
        flow_id: '{FLOW_ID}',
        warning: 'Your current Flow version will freeze in 21 days. You won\'t be able to send the Flow after it expires. Please migrate to the recommended version as soon as possible.',
      },
      field: 'flows',
    }],
  }],
};

/** Meta's version expiry warning example: the whole notification, with `time` and `object`. */
export const META_EXPIRY_WARNING = {
  entry: [{
    id: '644600416743275',
    time: 1684969340,
    changes: [{
      value: {
        event: 'FLOW_VERSION_EXPIRY_WARNING',
        warning: 'Your current Flow version will freeze in 21 days. You won\'t be able to send the Flow after it expires. Please migrate to the recommended version as soon as possible. https://developers.facebook.com/docs/whatsapp/flows/changelogs#currently-supported-versions',
        flow_id: '6627390910605886',
      },
      field: 'flows',
    }],
  }],
  object: 'whatsapp_business_account',
};

/** Meta's endpoint latency alert: a `flows` event that is not one of ours. */
export const META_ENDPOINT_LATENCY_VALUE = {
  event: 'ENDPOINT_LATENCY',
  message: 'Flow Webhook 3\'s endpoint latency exceeded 1s',
  flow_id: '6627390910605886',
  p90_latency: 5000,
  p50_latency: 5000,
  requests_count: 1000,
  threshold: 7000,
  alert_state: 'ACTIVATED',
};

/** A customer's text message. */
export const TEXT_MESSAGE_VALUE = {
  messaging_product: 'whatsapp',
  metadata: { display_phone_number: '16505551111', phone_number_id: '106540352242922' },
  contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: '16315551234' }],
  messages: [{ from: '16315551234', id: 'wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W', timestamp: '1603059201', text: { body: 'Hello this is an answer' }, type: 'text' }],
};

/** A delivery receipt of a message the business sent. */
export const DELIVERED_STATUS_VALUE = {
  messaging_product: 'whatsapp',
  metadata: { display_phone_number: '16505551111', phone_number_id: '106540352242922' },
  statuses: [{ id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA', status: 'delivered', timestamp: '1750263773', recipient_id: '16315551234' }],
};

/** An SNS record as Lambda receives it. */
export function snsRecord(message: string, n = 0): SNSEventRecord {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
    Sns: {
      Type: 'Notification',
      MessageId: `95df01b4-ee98-5cb9-9903-4c221d41eb5e-${n}`,
      TopicArn: TOPIC_ARN,
      Subject: '',
      Message: message,
      Timestamp: '2025-01-08T23:30:44.000Z',
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'EXAMPLE',
      UnsubscribeUrl: 'EXAMPLE',
      MessageAttributes: {},
    },
  };
}

export function snsEvent(messages: string[]): SNSEvent {
  return { Records: messages.map((m, i) => snsRecord(m, i)) };
}

/**
 * Business-scoped user ids, as Meta's "Business-scoped user IDs" page (2026) places them in an incoming message:
 * `contacts[].user_id` (the BSUID), `contacts[].parent_user_id` (the parent BSUID of linked portfolios),
 * `contacts[].profile.username`, `messages[].from_user_id`; `contacts[].wa_id` and `messages[].from` only when the
 * phone number may be shared.
 */
export const BSUID = 'US.13491208655302741918';
export const PARENT_BSUID = 'US.ENT.11815799212886844830';
export const USERNAME = '@kerry.fisher';

/** A Flow response of a user with a username: the BSUID alone, or (`withPhone`) the phone number as well. */
export function bsuidFlowResponseValue(flowToken: string, options: { withPhone?: boolean; messageId?: string; responseJson?: unknown } = {}) {
  const value = metaFlowResponseValue(flowToken, options.responseJson);
  const [message] = value.messages;
  const { from, ...withoutFrom } = message;
  return {
    ...value,
    contacts: [{
      profile: { name: 'Kerry Fisher', username: USERNAME },
      ...(options.withPhone ? { wa_id: from } : {}),
      user_id: BSUID,
      parent_user_id: PARENT_BSUID,
    }],
    messages: [{ ...(options.withPhone ? message : withoutFrom), from_user_id: BSUID, id: options.messageId ?? message.id }],
  };
}

/**
 * A completed Flow's response with media, as Meta's "Media upload components" guide documents it (Response message):
 * a top-level field per PhotoPicker or DocumentPicker holding `[{file_name, mime_type, sha256, id}]`.
 */
type FileRef = { id: string; name: string };
export function mediaResponseJson(flowToken: string, photos: FileRef[], documents: FileRef[] = []) {
  const file = (f: FileRef, mime: string) => ({ file_name: f.name, mime_type: mime, sha256: `sha-${f.id}`, id: f.id });
  return JSON.stringify({
    flow_token: flowToken,
    name: 'John Doe',
    photo_picker: photos.map((p) => file(p, 'image/jpeg')),
    ...(documents.length ? { document_picker: documents.map((d) => file(d, 'application/pdf')) } : {}),
  });
}
