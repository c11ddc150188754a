#!/usr/bin/env python3
"""The example app of examples/typescript, in Python: a published survey, the template that sends it, and a draft booking form."""
import os

from aws_cdk import App, CfnOutput, Stack
from constructs import Construct

from cdk_whatsapp_flows import (
    FlowButton,
    FlowCategory,
    FlowJson,
    TemplateCategory,
    WhatsAppFlow,
    WhatsAppMessageTemplate,
)

FLOWS = os.path.join(os.path.dirname(__file__), "..", "flows")


class WhatsAppFlowsExampleStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # The linked WhatsApp Business Account: `cdk synth -c wabaId=waba-...` or its ARN.
        waba_id = self.node.try_get_context("wabaId") or "waba-0123456789abcdef0123456789abcdef"

        feedback = WhatsAppFlow(self, "CustomerFeedback",
            whats_app_business_account_id=waba_id,
            flow_name="customer_feedback",
            categories=[FlowCategory.SURVEY],
            flow_json=FlowJson.from_file(os.path.join(FLOWS, "customer-feedback.json")),
            publish=True,
        )

        # The survey reaches customers through a template that Meta reviews; its button opens the Flow on its first screen.
        feedback_request = WhatsAppMessageTemplate(self, "FeedbackRequest",
            template_name="feedback_request",
            language="en_US",
            category=TemplateCategory.MARKETING,
            header="We value your feedback",
            body="Thanks for your order {{1}}! Tell us how it went: it takes one minute.",
            body_examples=["#1234"],
            footer="Reply STOP to opt out",
            flow_button=FlowButton.navigate(feedback, text="Give feedback", screen="RECOMMEND"),
        )

        booking = WhatsAppFlow(self, "AppointmentBooking",
            whats_app_business_account_id=waba_id,
            flow_name="appointment_booking",
            categories=[FlowCategory.APPOINTMENT_BOOKING],
            flow_json=FlowJson.from_file(os.path.join(FLOWS, "appointment-booking.json")),
        )

        CfnOutput(self, "FeedbackFlowId", value=feedback.flow_id)
        CfnOutput(self, "FeedbackFlowStatus", value=feedback.flow_status)
        CfnOutput(self, "FeedbackTemplateId", value=feedback_request.meta_template_id)
        CfnOutput(self, "FeedbackTemplateStatus", value=feedback_request.template_status)
        CfnOutput(self, "BookingFlowId", value=booking.flow_id)
        CfnOutput(self, "BookingPreviewUrl", value=booking.preview_url)


app = App()
WhatsAppFlowsExampleStack(app, "WhatsAppFlowsExample")
app.synth()
