import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { OnEventFunction } from './on-event-function';

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
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
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
