import * as path from 'path';
import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FlowButton, FlowCategory, FlowJson, TemplateCategory, WhatsAppFlow, WhatsAppMessageTemplate } from '../../src';

const FLOWS = path.join(__dirname, '..', 'flows');

/**
 * Two WhatsApp Flows of one WhatsApp Business Account, a published survey and a draft booking form, and the message
 * template whose FLOW button sends the survey to customers.
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

    const booking = new WhatsAppFlow(this, 'AppointmentBooking', {
      whatsAppBusinessAccountId: wabaId,
      flowName: 'appointment_booking',
      categories: [FlowCategory.APPOINTMENT_BOOKING],
      flowJson: FlowJson.fromFile(path.join(FLOWS, 'appointment-booking.json')),
    });

    new CfnOutput(this, 'FeedbackFlowId', { value: feedback.flowId });
    new CfnOutput(this, 'FeedbackFlowStatus', { value: feedback.flowStatus });
    new CfnOutput(this, 'FeedbackTemplateId', { value: feedbackRequest.metaTemplateId });
    new CfnOutput(this, 'FeedbackTemplateStatus', { value: feedbackRequest.templateStatus });
    new CfnOutput(this, 'BookingFlowId', { value: booking.flowId });
    new CfnOutput(this, 'BookingPreviewUrl', { value: booking.previewUrl });
  }
}
