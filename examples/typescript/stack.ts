import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  FlowButton, FlowCategory, FlowJson, TemplateCategory, WhatsAppFlow, WhatsAppFlowEndpoint, WhatsAppFlowEvents, WhatsAppMessageTemplate,
} from 'cdk-whatsapp-flows';

const FLOWS = path.join(__dirname, '..', 'flows');

/**
 * Three WhatsApp Flows of one WhatsApp Business Account: a published survey with the message template whose FLOW
 * button sends it to customers, and two dynamic Flows (data API 4.0), an appointment booking and a cancellation,
 * served by one endpoint and one function that tells them apart by their flow token; and the Flow events that page
 * the team when Meta blocks a Flow or warns that its Flow JSON version is about to expire.
 */
export class WhatsAppFlowsExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // The linked WhatsApp Business Account: `cdk synth -c wabaId=waba-…` or its ARN.
    const wabaId = this.node.tryGetContext('wabaId') ?? 'waba-0123456789abcdef0123456789abcdef';

    const feedback = new WhatsAppFlow(this, 'CustomerFeedback', {
      whatsAppBusinessAccountId: wabaId,
      flowName: 'customer_feedback',
      categories: [FlowCategory.SURVEY],
      flowJson: FlowJson.fromFile(path.join(FLOWS, 'customer-feedback.json')),
      publish: true,
    });

    // The survey reaches customers through a template that Meta reviews; its button opens the Flow on its first screen.
    const feedbackRequest = new WhatsAppMessageTemplate(this, 'FeedbackRequest', {
      templateName: 'feedback_request',
      language: 'en_US',
      category: TemplateCategory.MARKETING,
      header: 'We value your feedback',
      body: 'Thanks for your order {{1}}! Tell us how it went: it takes one minute.',
      bodyExamples: ['#1234'],
      footer: 'Reply STOP to opt out',
      flowButton: FlowButton.navigate(feedback, { text: 'Give feedback', screen: 'RECOMMEND' }),
    });

    // The business logic of both dynamic Flows: plain JSON in, plain JSON out (examples/booking-logic/index.py). It
    // tells the Flows apart by the flow token they are sent with: `booking-…` and `cancel-…`.
    const bookingLogicLogs = new logs.LogGroup(this, 'BookingLogicLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const bookingLogic = new lambda.Function(this, 'BookingLogic', {
      runtime: lambda.Runtime.PYTHON_3_14,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'booking-logic')),
      timeout: Duration.seconds(5),
      role: new iam.Role(this, 'BookingLogicRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
      logGroup: bookingLogicLogs,
    });
    bookingLogicLogs.grantWrite(bookingLogic);

    // The endpoint Meta calls for both Flows: it decrypts each request, invokes the logic and encrypts its answer. Its
    // key is registered as the business public key of the phone number that sends the Flows
    // (`-c phoneNumberId=phone-number-id-…`). Its URL is public, so it authenticates before it spends anything: each
    // request's X-Hub-Signature-256 and, on data API 4.0, its flow_token_signature must verify with the secret of the
    // Meta app attached to the Flows (`-c metaAppId=…`), kept in Secrets Manager under `-c appSecretName=…`.
    const metaAppId: string = this.node.tryGetContext('metaAppId') ?? '1234567890123456';
    const bookingEndpoint = new WhatsAppFlowEndpoint(this, 'BookingEndpoint', {
      handler: bookingLogic,
      phoneNumberIds: [this.node.tryGetContext('phoneNumberId') ?? 'phone-number-id-0123456789abcdef0123456789abcdef'],
      appSecret: secretsmanager.Secret.fromSecretNameV2(this, 'MetaAppSecret', this.node.tryGetContext('appSecretName') ?? 'whatsapp-flows/meta-app-secret'),
      verifyFlowTokenSignature: true,
    });

    // Published after the endpoint answers and its key is registered: publishing makes Meta check the endpoint. Each
    // Flow names the Meta app whose secret the endpoint verifies with.
    const booking = new WhatsAppFlow(this, 'AppointmentBooking', {
      whatsAppBusinessAccountId: wabaId,
      flowName: 'appointment_booking',
      categories: [FlowCategory.APPOINTMENT_BOOKING],
      flowJson: FlowJson.fromFile(path.join(FLOWS, 'appointment-booking-dynamic.json')),
      endpoint: bookingEndpoint,
      metaAppId,
      publish: true,
    });
    const cancellation = new WhatsAppFlow(this, 'AppointmentCancellation', {
      whatsAppBusinessAccountId: wabaId,
      flowName: 'appointment_cancellation',
      categories: [FlowCategory.APPOINTMENT_BOOKING],
      flowJson: FlowJson.fromFile(path.join(FLOWS, 'appointment-cancellation-dynamic.json')),
      endpoint: bookingEndpoint,
      metaAppId,
      publish: true,
    });

    // The WABA's event destination (an SNS topic set with PutWhatsAppBusinessAccountEventDestinations) and the
    // team's alerts topic, both made elsewhere: `-c wabaEventTopicArn=arn:…` and `-c alertsTopicArn=arn:…`.
    const topicArn = (context: string, name: string) => this.node.tryGetContext(context) ?? this.formatArn({ service: 'sns', resource: name });
    const wabaEvents = sns.Topic.fromTopicArn(this, 'WabaEvents', topicArn('wabaEventTopicArn', 'waba-events'));
    const alerts = new targets.SnsTopic(sns.Topic.fromTopicArn(this, 'Alerts', topicArn('alertsTopicArn', 'whatsapp-flow-alerts')));
    const flowEvents = new WhatsAppFlowEvents(this, 'FlowEvents', { topic: wabaEvents });
    for (const [name, flow] of [['Feedback', feedback], ['Booking', booking], ['Cancellation', cancellation]] as const) {
      flowEvents.onStatusChange(`${name}Held`, { flow, newStatuses: ['BLOCKED', 'THROTTLED'], target: alerts });
      flowEvents.onVersionExpiryWarning(`${name}VersionExpiring`, { flow, target: alerts });
    }

    new CfnOutput(this, 'FeedbackFlowId', { value: feedback.flowId });
    new CfnOutput(this, 'FeedbackFlowStatus', { value: feedback.flowStatus });
    new CfnOutput(this, 'FeedbackTemplateId', { value: feedbackRequest.metaTemplateId });
    new CfnOutput(this, 'FeedbackTemplateStatus', { value: feedbackRequest.templateStatus });
    new CfnOutput(this, 'BookingFlowId', { value: booking.flowId });
    new CfnOutput(this, 'BookingPreviewUrl', { value: booking.previewUrl });
    new CfnOutput(this, 'CancellationFlowId', { value: cancellation.flowId });
    new CfnOutput(this, 'BookingEndpointUrl', { value: bookingEndpoint.url });
  }
}
