import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { OnEventFunction } from './on-event-function';
import { WAIT_ENV } from './waiting';

/** The social-messaging actions the handler calls, and no others. */
const FLOW_MANAGEMENT_ACTIONS = [
  'social-messaging:CreateWhatsAppFlow',
  'social-messaging:UpdateWhatsAppFlow',
  'social-messaging:UpdateWhatsAppFlowAssets',
  'social-messaging:PublishWhatsAppFlow',
  'social-messaging:DeprecateWhatsAppFlow',
  'social-messaging:DeleteWhatsAppFlow',
  'social-messaging:GetWhatsAppFlow',
  'social-messaging:GetWhatsAppFlowPreview',
  'social-messaging:ListWhatsAppFlows',
  // Reads the Flow's own JSON when there is no previous asset to restore a live Flow from (adoption).
  'social-messaging:ListWhatsAppFlowAssets',
];

/** The social-messaging actions the message-template lifecycle calls, and no others. */
const TEMPLATE_MANAGEMENT_ACTIONS = [
  'social-messaging:CreateWhatsAppMessageTemplate',
  'social-messaging:UpdateWhatsAppMessageTemplate',
  'social-messaging:DeleteWhatsAppMessageTemplate',
  'social-messaging:GetWhatsAppMessageTemplate',
  'social-messaging:ListWhatsAppMessageTemplates',
];

/** How long the handler may work on one event, retries included. */
const HANDLER_TIMEOUT = Duration.minutes(5);

// --- rate-limit waiting ---
/** The context key that sets how long a Flow operation may wait for Meta's rate limit, in minutes (1 to 45). */
export const RATE_LIMIT_WAIT_CONTEXT = 'cdk-whatsapp-flows:rateLimitWaitMinutes';
const DEFAULT_RATE_LIMIT_WAIT_MINUTES = 40;
/** CloudFormation's longest custom-resource service timeout. */
const MAX_SERVICE_TIMEOUT = Duration.hours(1);
/** How often the framework carries on with an operation that waits. */
const QUERY_INTERVAL = Duration.seconds(10);

/**
 * How long a Flow operation that is only throttled may wait for the rate limit, across invocations, before it
 * fails: the context value `cdk-whatsapp-flows:rateLimitWaitMinutes`, 40 minutes by default, at most 45 so that
 * the last invocation (5 minutes) and the framework's own steps end within CloudFormation's one hour.
 */
export function rateLimitWait(scope: Construct): Duration {
  const value = scope.node.tryGetContext(RATE_LIMIT_WAIT_CONTEXT);
  return Duration.minutes(value === undefined || rateLimitWaitProblem(scope) ? DEFAULT_RATE_LIMIT_WAIT_MINUTES : Number(value));
}

/** What is wrong with the context value, if anything (reported by the provider's validation, rule 16). */
function rateLimitWaitProblem(scope: Construct): string | undefined {
  const value = scope.node.tryGetContext(RATE_LIMIT_WAIT_CONTEXT);
  if (value === undefined) return undefined;
  const minutes = Number(value);
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= 45 ? undefined
    : `context ${RATE_LIMIT_WAIT_CONTEXT} must be a whole number of minutes from 1 to 45, got ${JSON.stringify(value)}`;
}

/** The service timeout of a resource whose operation may wait: the wait, the last invocation and some slack, within one hour. */
export function waitingServiceTimeout(scope: Construct): Duration {
  return Duration.minutes(Math.min(MAX_SERVICE_TIMEOUT.toMinutes(), rateLimitWait(scope).toMinutes() + 15));
}
// --- end rate-limit waiting ---

function newLambdaRole(scope: Construct, id: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

function newLogGroup(scope: Construct, id: string): logs.LogGroup {
  return new logs.LogGroup(scope, id, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
}

/** How long the provider's functions keep their logs, and what becomes of the logs when the provider leaves the stack. */
export interface WhatsAppFlowProviderLogOptions {
  /**
   * How long the log groups of the provider's functions (its handler and the Provider framework's function) keep
   * their logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly retention?: logs.RetentionDays;

  /**
   * What happens to the two log groups when they leave the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The custom-resource provider behind the WhatsApp resources of a stack (`WhatsAppFlow`, the key registration of
 * `WhatsAppFlowEndpoint`, `WhatsAppMessageTemplate`): one handler function and one Provider per stack, however many
 * resources the stack has, made by the first of them.
 *
 * Its functions log to two log groups of their own (the handler's and the Provider framework's), which keep logs for
 * a month. To keep them longer, configure the stack's provider, before or after its resources are declared:
 *
 * ```ts
 * WhatsAppFlowProvider.getOrCreate(stack).configureLogs({ retention: logs.RetentionDays.ONE_YEAR });
 * ```
 */
export class WhatsAppFlowProvider extends Construct {
  /** The provider of the stack of `scope`, made on first use. */
  public static getOrCreate(scope: Construct): WhatsAppFlowProvider {
    const stack = Stack.of(scope);
    const id = 'WhatsAppFlowProvider';
    return (stack.node.tryFindChild(id) as WhatsAppFlowProvider) ?? new WhatsAppFlowProvider(stack, id);
  }

  /** The service token of the stack's `Custom::WhatsAppFlow`, key registration and message template resources. */
  public readonly serviceToken: string;
  /** The function that calls AWS End User Messaging Social. */
  public readonly handler: lambda.IFunction;

  private readonly logGroups: logs.LogGroup[];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    // Own roles with inline grants on their own log groups, rather than the broad AWS managed policy.
    const handlerLogs = newLogGroup(this, 'OnEventLogs');
    const handler = new OnEventFunction(this, 'OnEvent', {
      description: 'cdk-whatsapp-flows: creates, updates, publishes and retires WhatsApp Flows',
      timeout: HANDLER_TIMEOUT,
      memorySize: 256,
      role: newLambdaRole(this, 'OnEventRole'),
      logGroup: handlerLogs,
    });
    this.handler = handler;
    handlerLogs.grantWrite(this.handler);
    // Tells a rollback from an update: a rollback may publish a live Flow's previous JSON again.
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [Stack.of(this).stackId],
    }));
    const frameworkRole = newLambdaRole(this, 'FrameworkRole');
    const frameworkLogs = newLogGroup(this, 'ProviderLogs');
    frameworkLogs.grantWrite(frameworkRole);
    // --- rate-limit waiting: the same function answers isComplete, which carries on with an operation
    // that was only throttled; the handler fails it itself once its wait is over, before the framework's timeout.
    const wait = rateLimitWait(this);
    this.node.addValidation({ validate: () => { const problem = rateLimitWaitProblem(this); return problem ? [problem] : []; } });
    handler.addEnvironment(WAIT_ENV, String(wait.toMilliseconds()));
    // A role of its own: sharing onEvent's would make a cycle through the waiter state machine's policies.
    const waiterRole = newLambdaRole(this, 'FrameworkWaiterRole');
    frameworkLogs.grantWrite(waiterRole);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      isCompleteHandler: this.handler,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: waitingServiceTimeout(this),
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
      frameworkCompleteAndTimeoutRole: waiterRole,
    });
    // --- end rate-limit waiting
    this.serviceToken = provider.serviceToken;
    this.logGroups = [handlerLogs, frameworkLogs];
  }

  /**
   * Sets how long the provider's functions keep their logs, and what becomes of the logs when the provider leaves the
   * stack. The provider is one per stack, so this applies to every WhatsApp resource of the stack; it may be called
   * before or after they are declared.
   */
  public configureLogs(options: WhatsAppFlowProviderLogOptions): void {
    for (const logGroup of this.logGroups) {
      const resource = logGroup.node.defaultChild as logs.CfnLogGroup;
      if (options.retention !== undefined) {
        resource.retentionInDays = options.retention === logs.RetentionDays.INFINITE ? undefined : options.retention;
      }
      if (options.removalPolicy !== undefined) resource.applyRemovalPolicy(options.removalPolicy);
    }
  }

  /**
   * Lets the handler register business public keys (WhatsAppFlowEndpoint) for these phone numbers.
   *
   * @internal
   */
  public _allowKeyRegistration(phoneNumberArns: string[]): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['social-messaging:PutWhatsAppBusinessPublicKey', 'social-messaging:GetWhatsAppBusinessPublicKey'],
      resources: phoneNumberArns,
    }));
  }

  /**
   * Lets the handler manage Flows of one WhatsApp Business Account.
   *
   * @internal
   */
  public _allowFlowManagement(wabaArn: string): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: FLOW_MANAGEMENT_ACTIONS, resources: [wabaArn] }));
  }

  /**
   * Lets the handler manage message templates of one WhatsApp Business Account.
   *
   * @internal
   */
  public _allowTemplateManagement(wabaArn: string): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: TEMPLATE_MANAGEMENT_ACTIONS, resources: [wabaArn] }));
  }
}
