import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
export const HANDLER_TIMEOUT = Duration.minutes(5);

// --- rate-limit waiting (issue 22) ---
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

/**
 * The custom-resource provider behind every WhatsAppFlow of a stack: one handler function, one Provider.
 */
export class WhatsAppFlowProvider extends Construct {
  /** The stack's provider, made on first use. */
  public static getOrCreate(scope: Construct): WhatsAppFlowProvider {
    const stack = Stack.of(scope);
    const id = 'WhatsAppFlowProvider';
    return (stack.node.tryFindChild(id) as WhatsAppFlowProvider) ?? new WhatsAppFlowProvider(stack, id);
  }

  /** The service token for `Custom::WhatsAppFlow` resources. */
  public readonly serviceToken: string;
  /** The function that calls AWS End User Messaging Social. */
  public readonly handler: OnEventFunction;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    // Own roles with inline grants on their own log groups, rather than the broad AWS managed policy.
    this.handler = new OnEventFunction(this, 'OnEvent', {
      description: 'cdk-whatsapp-flows: creates, updates, publishes and retires WhatsApp Flows',
      timeout: HANDLER_TIMEOUT,
      memorySize: 256,
      role: newLambdaRole(this, 'OnEventRole'),
      logGroup: newLogGroup(this, 'OnEventLogs'),
    });
    this.handler.logGroup.grantWrite(this.handler);
    // Tells a rollback from an update: a rollback may publish a live Flow's previous JSON again.
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [Stack.of(this).stackId],
    }));
    const frameworkRole = newLambdaRole(this, 'FrameworkRole');
    const frameworkLogs = newLogGroup(this, 'ProviderLogs');
    frameworkLogs.grantWrite(frameworkRole);
    // --- rate-limit waiting (issue 22): the same function answers isComplete, which carries on with an operation
    // that was only throttled; the handler fails it itself once its wait is over, before the framework's timeout.
    const wait = rateLimitWait(this);
    this.node.addValidation({ validate: () => { const problem = rateLimitWaitProblem(this); return problem ? [problem] : []; } });
    this.handler.addEnvironment(WAIT_ENV, String(wait.toMilliseconds()));
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
  }

  /** Lets the handler register business public keys (WhatsAppFlowEndpoint) for these phone numbers. */
  public allowKeyRegistration(phoneNumberArns: string[]): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['social-messaging:PutWhatsAppBusinessPublicKey', 'social-messaging:GetWhatsAppBusinessPublicKey'],
      resources: phoneNumberArns,
    }));
  }

  /** Lets the handler manage Flows of one WhatsApp Business Account. */
  public allowFlowManagement(wabaArn: string): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: FLOW_MANAGEMENT_ACTIONS, resources: [wabaArn] }));
  }

  /** Lets the handler manage message templates of one WhatsApp Business Account. */
  public allowTemplateManagement(wabaArn: string): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: TEMPLATE_MANAGEMENT_ACTIONS, resources: [wabaArn] }));
  }
}
