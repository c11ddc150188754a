import {
  FlowEventDetails,
  FlowEventDetailType,
  FlowResponseDetail,
  FlowStatusChangeDetail,
  FlowVersionExpiryWarningDetail,
} from './contract';

/**
 * Reads the messages AWS End User Messaging Social publishes to a WhatsApp Business Account's event destination
 * and finds the Flow events in them.
 *
 * The SNS message body is JSON: `context` (the WABA's and phone numbers' Meta ids and AWS ARNs),
 * `whatsAppWebhookEntry` (a JSON string holding one Meta webhook entry, `{id, changes: [{field, value}]}`, which
 * some pages show wrapped as `{"entry": [...]}`), `aws_account_id`, `message_timestamp` and `messageId`.
 *
 * Errors name where the input went wrong, never what it held: the input is customer data.
 */

/** The input is not the documented envelope, or a Flow event in it is incomplete. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/** One Flow event, ready to become an EventBridge entry. */
export interface FlowEvent<T extends FlowEventDetailType = FlowEventDetailType> {
  readonly detailType: T;
  readonly detail: FlowEventDetails[T];
  /** The AWS ARNs of the WhatsApp Business Account (and of the phone number, for a response), from `context`. */
  readonly resources: string[];
  /** When it happened. */
  readonly time: Date;
}

/** What one SNS message holds. */
export interface ParsedMessage {
  /** The Flow events, in the order of the webhook entry. */
  readonly events: FlowEvent[];
  /**
   * One kind name for each WhatsApp event that is not a Flow event: `messages/text`, `statuses/delivered`,
   * `flows/ENDPOINT_LATENCY`, `message_template_status_update`, …
   */
  readonly ignored: string[];
}

export interface ParseOptions {
  /** When the message was received: the time of a Flow event that carries none. @default - now */
  readonly receivedAt?: Date;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the input: it stays out of the error.
    throw new MalformedMessageError(`${what} is not valid JSON (${text.length} characters)`);
  }
}

function requireString(value: Json, key: string, where: string): string {
  const field = value[key];
  if (typeof field === 'string' && field.length > 0) return field;
  throw new MalformedMessageError(`${where}: '${key}' is ${field === undefined ? 'missing' : 'not a non-empty string'}`);
}

function optionalString(value: Json, key: string, where: string): string | undefined {
  const field = value[key];
  if (field === undefined || field === null) return undefined;
  if (typeof field === 'string') return field;
  throw new MalformedMessageError(`${where}: '${key}' is not a string`);
}

function arrayOf(value: Json, key: string, where: string): unknown[] {
  const field = value[key];
  if (field === undefined) return [];
  if (Array.isArray(field)) return field;
  throw new MalformedMessageError(`${where}: '${key}' is not an array`);
}

/** Meta's timestamps are Unix seconds, as a string or a number. */
function fromUnixSeconds(value: unknown): Date | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;
}

function fromIso(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The envelope's `context`: the first WABA and phone number it names. */
interface EnvelopeContext {
  readonly wabaId?: string;
  readonly wabaArn?: string;
  readonly phoneNumberId?: string;
  readonly phoneNumberArn?: string;
  readonly receivedAt: Date;
}

function first(list: unknown): Json {
  return Array.isArray(list) && isObject(list[0]) ? list[0] : {};
}

function envelopeContext(envelope: Json, receivedAt: Date): EnvelopeContext {
  const context = isObject(envelope.context) ? envelope.context : {};
  const waba = first(context.MetaWabaIds);
  const phone = first(context.MetaPhoneNumberIds);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    wabaId: str(waba.wabaId),
    wabaArn: str(waba.arn),
    phoneNumberId: str(phone.metaPhoneNumberId),
    phoneNumberArn: str(phone.arn),
    receivedAt: fromIso(envelope.message_timestamp) ?? receivedAt,
  };
}

/** The webhook entries of `whatsAppWebhookEntry`: one entry, or `{"entry": [...]}`. */
function webhookEntries(envelope: Json): unknown[] {
  const raw = envelope.whatsAppWebhookEntry;
  if (raw === undefined) throw new MalformedMessageError('the message has no whatsAppWebhookEntry');
  const entry = typeof raw === 'string' ? parseJson(raw, 'whatsAppWebhookEntry') : raw;
  if (!isObject(entry)) throw new MalformedMessageError('whatsAppWebhookEntry is not a JSON object');
  if (Array.isArray(entry.entry)) return entry.entry;
  if (Array.isArray(entry.changes)) return [entry];
  throw new MalformedMessageError('whatsAppWebhookEntry has neither \'changes\' nor \'entry\'');
}

class MessageReader {
  readonly events: FlowEvent[] = [];
  readonly ignored: string[] = [];

  constructor(private readonly context: EnvelopeContext) {}

  entry(entry: unknown, where: string): void {
    if (!isObject(entry)) throw new MalformedMessageError(`${where} is not an object`);
    const wabaId = typeof entry.id === 'string' && entry.id ? entry.id : this.context.wabaId;
    if (!wabaId) throw new MalformedMessageError(`${where}: 'id' is missing and context names no WABA`);
    const time = fromUnixSeconds(entry.time) ?? this.context.receivedAt;
    const changes = entry.changes;
    if (!Array.isArray(changes)) throw new MalformedMessageError(`${where}: 'changes' is not an array`);
    changes.forEach((change, i) => this.change(change, wabaId, time, `${where}, change ${i}`));
  }

  private change(change: unknown, wabaId: string, time: Date, where: string): void {
    if (!isObject(change)) throw new MalformedMessageError(`${where} is not an object`);
    const field = requireString(change, 'field', where);
    const value = change.value;
    if (!isObject(value)) throw new MalformedMessageError(`${where} (${field}): 'value' is not an object`);
    if (field === 'messages') this.messagesValue(value, wabaId, `${where} (messages)`);
    else if (field === 'flows') this.flowsValue(value, wabaId, time, `${where} (flows)`);
    else this.ignored.push(field);
  }

  private messagesValue(value: Json, wabaId: string, where: string): void {
    const metadata = isObject(value.metadata) ? value.metadata : {};
    const phoneNumberId = typeof metadata.phone_number_id === 'string' ? metadata.phone_number_id : this.context.phoneNumberId;
    arrayOf(value, 'messages', where).forEach((message, i) => this.message(message, wabaId, phoneNumberId, `${where}, message ${i}`));
    for (const status of arrayOf(value, 'statuses', where)) {
      this.ignored.push(`statuses/${isObject(status) && typeof status.status === 'string' ? status.status : 'unknown'}`);
    }
  }

  private message(message: unknown, wabaId: string, phoneNumberId: string | undefined, where: string): void {
    if (!isObject(message)) throw new MalformedMessageError(`${where} is not an object`);
    const type = typeof message.type === 'string' ? message.type : 'unknown';
    const interactive = isObject(message.interactive) ? message.interactive : undefined;
    if (type !== 'interactive' || interactive?.type !== 'nfm_reply') {
      this.ignored.push(type === 'interactive' ? `messages/interactive/${String(interactive?.type ?? 'unknown')}` : `messages/${type}`);
      return;
    }
    const reply = interactive.nfm_reply;
    if (!isObject(reply)) throw new MalformedMessageError(`${where}: 'interactive.nfm_reply' is not an object`);
    // An nfm_reply named other than "flow" (such as "address_message") is not a Flow's response.
    if (reply.name !== undefined && reply.name !== 'flow') {
      this.ignored.push(`messages/interactive/nfm_reply/${String(reply.name)}`);
      return;
    }
    const responseJson = this.responseJson(reply.response_json, `${where}: response_json`);
    const context = isObject(message.context) ? message.context : {};
    const flowToken = responseJson.flow_token;
    const detail: FlowResponseDetail = {
      flowToken: typeof flowToken === 'string' ? flowToken : undefined,
      responseJson,
      from: requireString(message, 'from', where),
      messageId: requireString(message, 'id', where),
      contextMessageId: optionalString(context, 'id', `${where}, context`),
      wabaId,
      phoneNumberId,
      timestamp: '',
    };
    const time = fromUnixSeconds(message.timestamp) ?? this.context.receivedAt;
    this.push(FlowEventDetailType.RESPONSE, detail, time, [this.context.wabaArn, this.context.phoneNumberArn]);
  }

  /** `response_json` is a JSON string; some providers send the object itself. */
  private responseJson(raw: unknown, where: string): Json {
    if (raw === undefined) throw new MalformedMessageError(`${where} is missing`);
    const parsed = typeof raw === 'string' ? parseJson(raw, where) : raw;
    if (!isObject(parsed)) throw new MalformedMessageError(`${where} is not a JSON object`);
    return parsed;
  }

  private flowsValue(value: Json, wabaId: string, time: Date, where: string): void {
    const event = requireString(value, 'event', where);
    if (event === 'FLOW_STATUS_CHANGE') {
      const detail: FlowStatusChangeDetail = {
        flowId: requireString(value, 'flow_id', where),
        oldStatus: optionalString(value, 'old_status', where),
        newStatus: requireString(value, 'new_status', where),
        reason: optionalString(value, 'reason', where),
        message: optionalString(value, 'message', where),
        wabaId,
        timestamp: '',
      };
      this.push(FlowEventDetailType.STATUS_CHANGE, detail, time, [this.context.wabaArn]);
    } else if (event === 'FLOW_VERSION_EXPIRY_WARNING') {
      const detail: FlowVersionExpiryWarningDetail = {
        flowId: requireString(value, 'flow_id', where),
        warning: requireString(value, 'warning', where),
        wabaId,
        timestamp: '',
      };
      this.push(FlowEventDetailType.VERSION_EXPIRY_WARNING, detail, time, [this.context.wabaArn]);
    } else {
      this.ignored.push(`flows/${event}`);
    }
  }

  private push<T extends FlowEventDetailType>(detailType: T, detail: FlowEventDetails[T], time: Date, resources: Array<string | undefined>): void {
    const complete = dropUndefined({ ...detail, timestamp: time.toISOString() }) as unknown as FlowEventDetails[T];
    this.events.push({ detailType, detail: complete, time, resources: resources.filter((r): r is string => !!r) });
  }
}

function dropUndefined(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * The Flow events and the other WhatsApp events in one SNS message body.
 *
 * @throws MalformedMessageError when the body is not the documented envelope or a Flow event in it is incomplete:
 * the message is then kept whole (in the dead-letter queue), and none of its events is published.
 */
export function parseMessage(message: string, options: ParseOptions = {}): ParsedMessage {
  const envelope = parseJson(message, 'the SNS message');
  if (!isObject(envelope)) throw new MalformedMessageError('the SNS message is not a JSON object');
  const reader = new MessageReader(envelopeContext(envelope, options.receivedAt ?? new Date()));
  webhookEntries(envelope).forEach((entry, i) => reader.entry(entry, `entry ${i}`));
  return { events: reader.events, ignored: reader.ignored };
}
