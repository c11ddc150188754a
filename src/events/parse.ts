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

/**
 * A PhotoPicker or DocumentPicker file of a Flow response, as Meta documents it in the response message
 * ("Media upload components" guide, Response message): a top-level `response_json` field whose value is a list of
 * `{file_name, mime_type, sha256, id}`. The `id` is a media id that GetWhatsAppMessageMedia copies to S3.
 */
export interface ResponseMedia {
  /** The `response_json` field that holds the list. */
  readonly field: string;
  /** Its place in the list. */
  readonly index: number;
  readonly mediaId?: string;
  readonly fileName?: string;
  readonly mimeType?: string;
  readonly sha256?: string;
}

/** One Flow event, ready to become an EventBridge entry. */
export interface FlowEvent<T extends FlowEventDetailType = FlowEventDetailType> {
  readonly detailType: T;
  readonly detail: FlowEventDetails[T];
  /** The AWS ARNs of the WhatsApp Business Account (and of the phone number, for a response), from `context`. */
  readonly resources: string[];
  /** When it happened. */
  readonly time: Date;
  /** For a response: its media files, in `detail.responseJson` order. */
  readonly media?: ResponseMedia[];
  /** For a response: the AWS ARN of the business phone number that received it, when `context` names it. */
  readonly phoneNumberArn?: string;
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
  /** Every phone number `context` names: Meta's id, AWS's ARN. */
  readonly phoneNumbers: Json[];
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
    phoneNumbers: Array.isArray(context.MetaPhoneNumberIds) ? context.MetaPhoneNumberIds.filter(isObject) : [],
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
    const field = change.field;
    // Only `messages` and `flows` can hold Flow events: any other change, even one without a field name, is other
    // WhatsApp traffic, counted and left alone.
    if (field !== 'messages' && field !== 'flows') {
      this.ignored.push(typeof field === 'string' && field ? field : 'unknown');
      return;
    }
    const value = change.value;
    if (!isObject(value)) throw new MalformedMessageError(`${where} (${field}): 'value' is not an object`);
    if (field === 'messages') this.messagesValue(value, wabaId, `${where} (messages)`);
    else this.flowsValue(value, wabaId, time, `${where} (flows)`);
  }

  private messagesValue(value: Json, wabaId: string, where: string): void {
    const metadata = isObject(value.metadata) ? value.metadata : {};
    const phoneNumberId = typeof metadata.phone_number_id === 'string' ? metadata.phone_number_id : this.context.phoneNumberId;
    const messages = arrayOf(value, 'messages', where);
    const contacts = messages.length > 0 ? arrayOf(value, 'contacts', where).filter(isObject) : [];
    messages.forEach((message, i) => this.message(message, wabaId, phoneNumberId, contacts, messages.length, `${where}, message ${i}`));
    for (const status of arrayOf(value, 'statuses', where)) {
      this.ignored.push(`statuses/${isObject(status) && typeof status.status === 'string' ? status.status : 'unknown'}`);
    }
  }

  private message(message: unknown, wabaId: string, phoneNumberId: string | undefined, contacts: Json[], siblings: number, where: string): void {
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
    // Who answered: the phone number (`from`) when Meta shares it, the BSUID (`from_user_id`) since April 2026; a
    // user with a username may come with the BSUID alone. The contact adds the parent BSUID and the username.
    const from = optionalString(message, 'from', where) || undefined;
    const fromUserId = optionalString(message, 'from_user_id', where) || undefined;
    const contact = contactOf(contacts, from, fromUserId, siblings);
    const profile = contact && isObject(contact.profile) ? contact.profile : {};
    const userId = fromUserId ?? stringOf(contact?.user_id);
    if (!from && !userId) throw new MalformedMessageError(`${where}: neither 'from' nor 'from_user_id' names the sender`);
    const media = mediaOf(responseJson);
    const detail: FlowResponseDetail = {
      flowToken: typeof flowToken === 'string' ? flowToken : undefined,
      responseJson: media.length > 0 ? withoutMediaSecrets(responseJson, media) : responseJson,
      from,
      userId,
      parentUserId: stringOf(message.from_parent_user_id) ?? stringOf(contact?.parent_user_id),
      username: stringOf(profile.username),
      messageId: requireString(message, 'id', where),
      contextMessageId: optionalString(context, 'id', `${where}, context`),
      wabaId,
      phoneNumberId,
      timestamp: '',
    };
    const time = fromUnixSeconds(message.timestamp) ?? this.context.receivedAt;
    this.push(FlowEventDetailType.RESPONSE, detail, time, [this.context.wabaArn, this.context.phoneNumberArn],
      media.length > 0 ? { media, phoneNumberArn: this.phoneNumberArn(phoneNumberId) } : undefined);
  }

  /** The AWS ARN of the business phone number Meta knows as `phoneNumberId`, from `context`. */
  private phoneNumberArn(phoneNumberId: string | undefined): string | undefined {
    const numbers = this.context.phoneNumbers;
    const match = numbers.find((n) => n.metaPhoneNumberId === phoneNumberId) ?? (numbers.length === 1 ? numbers[0] : undefined);
    return stringOf(match?.arn);
  }

  /** `response_json` is a JSON string; some providers send the object itself. */
  private responseJson(raw: unknown, where: string): Json {
    if (raw === undefined) throw new MalformedMessageError(`${where} is missing`);
    const parsed = typeof raw === 'string' ? parseJson(raw, where) : raw;
    if (!isObject(parsed)) throw new MalformedMessageError(`${where} is not a JSON object`);
    return parsed;
  }

  private flowsValue(value: Json, wabaId: string, time: Date, where: string): void {
    // A `flows` change without an event name is not one of ours: counted and left alone, like ENDPOINT_LATENCY.
    const event = typeof value.event === 'string' && value.event ? value.event : 'unknown';
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

  private push<T extends FlowEventDetailType>(detailType: T, detail: FlowEventDetails[T], time: Date, resources: Array<string | undefined>,
    extra?: Pick<FlowEvent, 'media' | 'phoneNumberArn'>): void {
    const complete = dropUndefined({ ...detail, timestamp: time.toISOString() }) as unknown as FlowEventDetails[T];
    this.events.push({ detailType, detail: complete, time, resources: resources.filter((r): r is string => !!r), ...extra });
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** The contact of the sender: the one with its BSUID or phone number, else the only one of a one-message change. */
function contactOf(contacts: Json[], from: string | undefined, userId: string | undefined, siblings: number): Json | undefined {
  const match = contacts.find((c) => (userId !== undefined && c.user_id === userId) || (from !== undefined && c.wa_id === from));
  if (match) return match;
  const only = contacts.length === 1 && siblings === 1 ? contacts[0] : undefined;
  // The only contact is the sender unless it names someone else.
  if (only && (only.user_id === undefined || userId === undefined) && (only.wa_id === undefined || from === undefined)) return only;
  return undefined;
}

/** Keys Meta uses for a file's download: a CDN URL and the keys to decrypt it. Never published, never logged. */
const MEDIA_SECRETS = ['cdn_url', 'encryption_metadata'];

/** A media file entry: an object with a media id and file facts (Meta's response message shape, or the data_exchange one). */
function isMediaEntry(value: unknown): value is Json {
  return isObject(value) && (typeof value.id === 'string' || typeof value.media_id === 'string')
    && (value.file_name !== undefined || value.mime_type !== undefined || value.sha256 !== undefined
      || value.cdn_url !== undefined || value.encryption_metadata !== undefined);
}

/** The media files of a response: top-level fields whose value is a non-empty list of media entries. */
function mediaOf(responseJson: Json): ResponseMedia[] {
  const media: ResponseMedia[] = [];
  for (const [field, value] of Object.entries(responseJson)) {
    if (!Array.isArray(value) || value.length === 0 || !value.every(isMediaEntry)) continue;
    value.forEach((file: Json, index) => media.push({
      field,
      index,
      mediaId: stringOf(file.id) ?? stringOf(file.media_id),
      fileName: stringOf(file.file_name),
      mimeType: stringOf(file.mime_type),
      sha256: stringOf(file.sha256),
    }));
  }
  return media;
}

/** `response_json` with every media entry's CDN URL and decryption keys removed. */
function withoutMediaSecrets(responseJson: Json, media: ResponseMedia[]): Json {
  const copy: Json = { ...responseJson };
  for (const field of new Set(media.map((m) => m.field))) {
    copy[field] = (responseJson[field] as Json[]).map((file) =>
      Object.fromEntries(Object.entries(file).filter(([key]) => !MEDIA_SECRETS.includes(key))));
  }
  return copy;
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
