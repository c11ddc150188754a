/**
 * The one contract between the WhatsAppFlowEvents construct and its function: the event source, the detail types,
 * the shape of each detail, and the metrics the function emits. The construct builds rule patterns and metrics
 * from these names; the function builds events and metrics from them. No name is written twice.
 */
import { FlowEventDetailType, FlowResponseDetail, FlowStatusChangeDetail, FlowVersionExpiryWarningDetail } from './event-details';

export * from './event-details';

/** The `source` of every event the function puts on the bus. */
export const FLOW_EVENT_SOURCE = 'cdk-whatsapp-flows';

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
  /** Media files of Flow responses that AWS stored in the media bucket. */
  STORED_MEDIA: 'StoredMediaFiles',
  /** Media files of Flow responses that could not be stored: each is named in its event's `mediaErrors`. */
  FAILED_MEDIA: 'FailedMediaFiles',
  /** Flow events put on the bus, by detail type. */
  [FlowEventDetailType.RESPONSE]: 'FlowResponses',
  [FlowEventDetailType.STATUS_CHANGE]: 'FlowStatusChanges',
  [FlowEventDetailType.VERSION_EXPIRY_WARNING]: 'FlowVersionExpiryWarnings',
} as const;

/** The environment variable that names the bus (its name or ARN). */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';

/** The environment variable that names the media bucket; unset, media are not copied. */
export const MEDIA_BUCKET_ENV = 'MEDIA_BUCKET_NAME';

/** The environment variable that holds the key prefix of stored media. */
export const MEDIA_PREFIX_ENV = 'MEDIA_KEY_PREFIX';
