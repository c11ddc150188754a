import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  EVENT_BUS_ENV,
  FLOW_EVENT_SOURCE,
  FlowEventDetailType,
  FlowEventMetric,
  FlowResponseDetail,
  FlowStatusChangeDetail,
  FlowVersionExpiryWarningDetail,
  MEDIA_BUCKET_ENV,
  MEDIA_PREFIX_ENV,
  METRIC_DIMENSION,
  METRICS_NAMESPACE,
} from './contract';
import { FlowEventsFunction } from './flow-events-function';
import type { IWhatsAppFlow } from '../flow/whatsapp-flow';

/** How long the function may work on one SNS delivery, PutEvents retries included. */
const HANDLER_TIMEOUT = Duration.seconds(30);
/** With a media bucket: time for GetWhatsAppMessageMedia to copy up to 10 files (100 MiB) per response as well. */
const HANDLER_TIMEOUT_WITH_MEDIA = Duration.seconds(90);
const DEFAULT_MEDIA_PREFIX = 'whatsapp-flow-media/';

/** Properties of WhatsAppFlowEvents. */
export interface WhatsAppFlowEventsProps {
  /**
   * The WhatsApp Business Account's event destination: the SNS topic AWS End User Messaging Social publishes
   * every WhatsApp event of the account to.
   */
  readonly topic: sns.ITopic;

  /**
   * The bus the Flow events are put on.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Where SNS messages go that could not be turned into events: messages that cannot be parsed, that hold an event
   * too large for EventBridge, whose events EventBridge kept refusing, or that SNS could not deliver to the
   * function. It must accept messages from SNS and from Lambda; a queue encrypted with a KMS key needs a key policy
   * that lets both use the key.
   *
   * @default - a new queue encrypted with SQS-managed keys that keeps messages for 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Where the files customers upload in a Flow (PhotoPicker, DocumentPicker) are kept. A completed Flow's response
   * names each file by a Meta media id; with a bucket, the function has AWS End User Messaging Social copy each
   * file into it (GetWhatsAppMessageMedia) under `mediaPrefix`, and the event's `responseJson` then holds
   * `{fileName, bucket, key, size, sha256, contentType}` for each file instead of Meta's ids. A file that cannot be
   * copied is left out, named in the detail's `mediaErrors` and counted in the `FailedMediaFiles` metric.
   *
   * The function may only `s3:PutObject` under `mediaPrefix` (and use the bucket's KMS key, when the construct
   * knows it, to encrypt) and call `social-messaging:GetWhatsAppMessageMedia` on the account's phone numbers. Its
   * timeout rises from 30 to 90 seconds.
   *
   * @default - no copy: `responseJson` holds Meta's `{file_name, mime_type, sha256, id}` for each file (the id can
   * be fetched with GetWhatsAppMessageMedia for 30 days); `cdn_url` and `encryption_metadata`, should Meta ever send
   * them, are removed in either case
   */
  readonly mediaBucket?: s3.IBucket;

  /**
   * The key prefix of stored media. Each file lands at `<mediaPrefix><phone-number-id>/<message key>/<media id>`,
   * where the message key is a hash of the reply's message id (no customer data in keys): a lifecycle rule on
   * `mediaPrefix` expires every file, one on `<mediaPrefix><phone-number-id>/` one number's files. Ends with `/`.
   *
   * @default 'whatsapp-flow-media/'
   */
  readonly mediaPrefix?: string;

  /**
   * The log group the function writes to. The function is given `logs:CreateLogStream` and `logs:PutLogEvents` on
   * it. It logs counts and reasons, never the customer's answers or phone numbers.
   *
   * @default - a new log group that keeps logs for a month and is deleted with the stack
   */
  readonly logGroup?: logs.ILogGroup;
}

/** Options of `onResponse`. */
export interface OnFlowResponseOptions extends events.OnEventOptions {
  /**
   * Match only responses whose flow token starts with this prefix. A response carries no Flow id: senders tell
   * Flows apart by the flow token they choose when they send the Flow, such as `booking-…`.
   *
   * @default - every Flow response
   */
  readonly flowTokenPrefix?: string;
}

/** Options of `onStatusChange`. */
export interface OnFlowStatusChangeOptions extends events.OnEventOptions {
  /**
   * Match only status changes of this Flow.
   *
   * @default - every Flow of the account
   */
  readonly flow?: IWhatsAppFlow;

  /**
   * Match only changes to one of these statuses: DRAFT, PUBLISHED, DEPRECATED, BLOCKED or THROTTLED.
   *
   * @default - any new status
   */
  readonly newStatuses?: string[];

  /**
   * Match only changes from one of these statuses.
   *
   * @default - any old status
   */
  readonly oldStatuses?: string[];
}

/** Options of `onVersionExpiryWarning`. */
export interface OnFlowVersionExpiryWarningOptions extends events.OnEventOptions {
  /**
   * Match only warnings about this Flow.
   *
   * @default - every Flow of the account
   */
  readonly flow?: IWhatsAppFlow;
}

/** An event pattern's `detail`, keyed by the detail's own field names. */
type DetailPattern<T> = Partial<Record<keyof T, unknown[]>>;

/**
 * Flow responses, status changes and version expiry warnings as typed EventBridge events.
 *
 * AWS End User Messaging Social publishes every WhatsApp event of a WhatsApp Business Account to its event
 * destination, an SNS topic, as JSON strings inside JSON. This construct subscribes a function to the topic that
 * finds the Flow events among them and puts one event on the bus for each, with the source
 * `WhatsAppFlowEvents.EVENT_SOURCE` and a detail type of `FlowEventDetailType`. Other WhatsApp events are counted
 * and left alone. `onResponse`, `onStatusChange` and `onVersionExpiryWarning` make rules for them.
 *
 * A message that cannot be turned into events lands whole in the dead-letter queue, with the reason.
 *
 * @see https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-flows-webhooks.html
 */
export class WhatsAppFlowEvents extends Construct {
  /** The `source` of every event this construct puts on the bus. */
  public static readonly EVENT_SOURCE: string = FLOW_EVENT_SOURCE;

  /** The bus the Flow events are put on. */
  public readonly eventBus: events.IEventBus;

  /** The function subscribed to the topic. */
  public readonly handler: lambda.IFunction;

  /** Where SNS messages go that could not be turned into events. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** Where the files of Flow responses are copied, when a bucket was given. */
  public readonly mediaBucket?: s3.IBucket;

  /** The bus the user chose; undefined for the default bus, which rules name by leaving the bus out. */
  private readonly customBus?: events.IEventBus;

  constructor(scope: Construct, id: string, props: WhatsAppFlowEventsProps) {
    super(scope, id);
    this.customBus = props.eventBus;
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.deadLetterQueue = props.deadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // Its own role with inline grants, rather than the broad AWS managed policy.
    const role = new iam.Role(this, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = props.logGroup ?? new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const mediaPrefix = props.mediaPrefix ?? DEFAULT_MEDIA_PREFIX;
    if (props.mediaPrefix !== undefined && !Token.isUnresolved(mediaPrefix)) {
      this.node.addValidation({
        validate: () => (/^([^/*][^*]*\/)?$/.test(mediaPrefix) ? []
          : [`WhatsAppFlowEvents ${this.node.path}: mediaPrefix '${mediaPrefix}' must be empty or end with '/', and neither start with '/' nor hold '*'`]),
      });
    }
    const environment: Record<string, string> = { [EVENT_BUS_ENV]: this.eventBus.eventBusArn };
    if (props.mediaBucket) {
      environment[MEDIA_BUCKET_ENV] = props.mediaBucket.bucketName;
      environment[MEDIA_PREFIX_ENV] = mediaPrefix;
    }
    const handler = new FlowEventsFunction(this, 'Handler', {
      description: 'cdk-whatsapp-flows: puts WhatsApp Flow responses, status changes and version expiry warnings on EventBridge',
      timeout: props.mediaBucket ? HANDLER_TIMEOUT_WITH_MEDIA : HANDLER_TIMEOUT,
      memorySize: 256,
      role,
      logGroup,
      environment,
      // A failed invocation is tried twice more, then its event (the SNS message) goes to the dead-letter queue.
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
    });
    logGroup.grantWrite(handler);
    this.eventBus.grantPutEventsTo(handler);
    this.handler = handler;
    this.mediaBucket = props.mediaBucket;
    if (props.mediaBucket) this.grantMediaCopy(role, props.mediaBucket, mediaPrefix);

    // SNS's own delivery failures (the function throttled or gone) go to the same queue.
    props.topic.addSubscription(new subs.LambdaSubscription(handler, { deadLetterQueue: this.deadLetterQueue }));
  }

  /**
   * A rule for Flow responses: a customer completed a Flow. The detail holds the customer's answers.
   */
  public onResponse(id: string, options: OnFlowResponseOptions = {}): events.Rule {
    const detail: DetailPattern<FlowResponseDetail> = {};
    if (options.flowTokenPrefix !== undefined) detail.flowToken = [{ prefix: options.flowTokenPrefix }];
    return this.onFlowEvent(id, FlowEventDetailType.RESPONSE, options, detail);
  }

  /**
   * A rule for Flow status changes, such as a Flow that Meta blocked or throttled.
   */
  public onStatusChange(id: string, options: OnFlowStatusChangeOptions = {}): events.Rule {
    const detail: DetailPattern<FlowStatusChangeDetail> = {};
    if (options.flow) detail.flowId = [options.flow.flowId];
    if (options.newStatuses?.length) detail.newStatus = options.newStatuses;
    if (options.oldStatuses?.length) detail.oldStatus = options.oldStatuses;
    return this.onFlowEvent(id, FlowEventDetailType.STATUS_CHANGE, options, detail);
  }

  /**
   * A rule for Flow JSON version expiry warnings: a Flow on an expired version can no longer be sent.
   */
  public onVersionExpiryWarning(id: string, options: OnFlowVersionExpiryWarningOptions = {}): events.Rule {
    const detail: DetailPattern<FlowVersionExpiryWarningDetail> = {};
    if (options.flow) detail.flowId = [options.flow.flowId];
    return this.onFlowEvent(id, FlowEventDetailType.VERSION_EXPIRY_WARNING, options, detail);
  }

  /**
   * One of the function's metrics, in the namespace `cdk-whatsapp-flows/FlowEvents`: `MalformedMessages`,
   * `IgnoredEvents`, `FailedEvents`, `FlowResponses`, `FlowStatusChanges`, `FlowVersionExpiryWarnings`, and, with a
   * media bucket, `StoredMediaFiles` and `FailedMediaFiles`.
   * Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [METRIC_DIMENSION]: this.handler.functionName },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /**
   * SNS messages that could not be turned into events; they go to the dead-letter queue. Lambda tries a failed
   * invocation three times in all, and each attempt counts. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricMalformedMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FlowEventMetric.MALFORMED_MESSAGES, props);
  }

  /**
   * Events of one detail type put on the bus. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricPublishedEvents(detailType: FlowEventDetailType, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FlowEventMetric[detailType], props);
  }

  /**
   * What GetWhatsAppMessageMedia needs: the call on the account's phone numbers (never `*`), and the right to write
   * the object under the prefix. AWS's API reference does not say which principal writes the object; the caller
   * (the function's role) is given `s3:PutObject` under the prefix (and, for a bucket encrypted with a KMS key the
   * construct knows, the key's `kms:GenerateDataKey` and `kms:Decrypt`, which a multipart upload needs), as for a
   * service that writes with the caller's credentials; nothing else on the bucket, and no bucket policy.
   */
  private grantMediaCopy(role: iam.IRole, bucket: s3.IBucket, prefix: string): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['social-messaging:GetWhatsAppMessageMedia'],
      resources: [Stack.of(this).formatArn({ service: 'social-messaging', resource: 'phone-number-id', resourceName: '*' })],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }));
    bucket.encryptionKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  private onFlowEvent(id: string, detailType: FlowEventDetailType, options: events.OnEventOptions,
    detail: Record<string, unknown[] | undefined>): events.Rule {
    const rule = new events.Rule(this, id, {
      description: options.description,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
      eventPattern: options.eventPattern,
      eventBus: this.customBus,
    });
    rule.addEventPattern({
      source: [FLOW_EVENT_SOURCE],
      detailType: [detailType],
      detail: Object.keys(detail).length > 0 ? detail : undefined,
    });
    rule.addTarget(options.target);
    return rule;
  }
}
