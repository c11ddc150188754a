import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
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
  METRIC_DIMENSION,
  METRICS_NAMESPACE,
} from './contract';
import { FlowEventsFunction } from './flow-events-function';
import type { IWhatsAppFlow } from '../flow/whatsapp-flow';

/** How long the function may work on one SNS delivery, PutEvents retries included. */
const HANDLER_TIMEOUT = Duration.seconds(30);

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
    const logGroup = new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const handler = new FlowEventsFunction(this, 'Handler', {
      description: 'cdk-whatsapp-flows: puts WhatsApp Flow responses, status changes and version expiry warnings on EventBridge',
      timeout: HANDLER_TIMEOUT,
      memorySize: 256,
      role,
      logGroup,
      environment: { [EVENT_BUS_ENV]: this.eventBus.eventBusArn },
      // A failed invocation is tried twice more, then its event (the SNS message) goes to the dead-letter queue.
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
    });
    logGroup.grantWrite(handler);
    this.eventBus.grantPutEventsTo(handler);
    this.handler = handler;

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
   * `IgnoredEvents`, `FailedEvents`, `FlowResponses`, `FlowStatusChanges` or `FlowVersionExpiryWarnings`.
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
