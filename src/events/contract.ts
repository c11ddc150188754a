/**
 * The one contract between the WhatsAppFlowEvents construct and its function: the event source, the detail types,
 * the shape of each detail, and the metrics the function emits. The construct builds rule patterns and metrics
 * from these names; the function builds events and metrics from them. No name is written twice.
 */

/** The `source` of every event the function puts on the bus. */
export const FLOW_EVENT_SOURCE = 'cdk-whatsapp-flows';

/** The `detail-type` of the events the function puts on the bus, one for each kind of Flow event. */
export enum FlowEventDetailType {
  /** A customer completed a Flow: an `nfm_reply` message. */
  RESPONSE = 'WhatsApp Flow Response',
  /** Meta changed a Flow's status (`FLOW_STATUS_CHANGE`), for example from PUBLISHED to BLOCKED. */
  STATUS_CHANGE = 'WhatsApp Flow Status Change',
  /** The Flow JSON version of a Flow approaches its end of life (`FLOW_VERSION_EXPIRY_WARNING`). */
  VERSION_EXPIRY_WARNING = 'WhatsApp Flow Version Expiry Warning',
}

/** What every detail carries: where the event came from. */
export interface FlowEventDetailBase {
  /** Meta's id of the WhatsApp Business Account (the webhook entry's `id`). */
  readonly wabaId: string;
  /** When it happened, ISO 8601. */
  readonly timestamp: string;
}

/** The detail of a "WhatsApp Flow Response" event. */
export interface FlowResponseDetail extends FlowEventDetailBase {
  /** The `flow_token` the sender chose when it sent the Flow; absent when the response carries none. */
  readonly flowToken?: string;
  /** `response_json` parsed: the fields the customer submitted (and `flow_token`). Customer data. */
  readonly responseJson: Record<string, unknown>;
  /** The customer's WhatsApp number. Customer data. */
  readonly from: string;
  /** The id of the reply message (`wamid.…`): unique, so a consumer can drop a repeated delivery. */
  readonly messageId: string;
  /** The id of the message that carried the Flow, when WhatsApp gives it. */
  readonly contextMessageId?: string;
  /** Meta's id of the business phone number that received the reply, when known. */
  readonly phoneNumberId?: string;
}

/** The detail of a "WhatsApp Flow Status Change" event. */
export interface FlowStatusChangeDetail extends FlowEventDetailBase {
  readonly flowId: string;
  /** DRAFT, PUBLISHED, DEPRECATED, BLOCKED or THROTTLED; absent for a Flow that was just created. */
  readonly oldStatus?: string;
  readonly newStatus: string;
  /** Why, when Meta says (AWS's documented payload). */
  readonly reason?: string;
  /** Meta's sentence about the change, when it sends one. */
  readonly message?: string;
}

/** The detail of a "WhatsApp Flow Version Expiry Warning" event. */
export interface FlowVersionExpiryWarningDetail extends FlowEventDetailBase {
  readonly flowId: string;
  /** Meta's warning, for example "Your current Flow version will freeze in 21 days. …". */
  readonly warning: string;
}

/** The detail of each detail type. */
export interface FlowEventDetails {
  [FlowEventDetailType.RESPONSE]: FlowResponseDetail;
  [FlowEventDetailType.STATUS_CHANGE]: FlowStatusChangeDetail;
  [FlowEventDetailType.VERSION_EXPIRY_WARNING]: FlowVersionExpiryWarningDetail;
}

/** The CloudWatch namespace of the function's metrics (written as embedded metric format log lines). */
export const METRICS_NAMESPACE = 'cdk-whatsapp-flows/FlowEvents';

/** The one dimension of every metric: the function's name, so that two instances keep apart. */
export const METRIC_DIMENSION = 'FunctionName';

/** The function's metrics, each a count per invocation. */
export const FlowEventMetric = {
  /** SNS messages that could not be parsed, or held an event too large for EventBridge: they go to the DLQ. */
  MALFORMED_MESSAGES: 'MalformedMessages',
  /** WhatsApp events that are not Flow events: ignored. */
  IGNORED_EVENTS: 'IgnoredEvents',
  /** Events EventBridge did not take after every retry; the invocation fails and is retried. */
  FAILED_EVENTS: 'FailedEvents',
  /** Flow events put on the bus, by detail type. */
  [FlowEventDetailType.RESPONSE]: 'FlowResponses',
  [FlowEventDetailType.STATUS_CHANGE]: 'FlowStatusChanges',
  [FlowEventDetailType.VERSION_EXPIRY_WARNING]: 'FlowVersionExpiryWarnings',
} as const;

/** The environment variable that names the bus (its name or ARN). */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';
