#!/usr/bin/env python3
"""The example app of examples/typescript, in Python: a published survey, the template that sends it, two dynamic
Flows (data API 4.0), an appointment booking and a cancellation, served by one endpoint and one function that tells
them apart by their flow token, and the Flow events that page the team."""
import os

from aws_cdk import App, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from cdk_whatsapp_flows import (
    FlowButton,
    FlowCategory,
    FlowJson,
    TemplateCategory,
    WhatsAppFlow,
    WhatsAppFlowEndpoint,
    WhatsAppFlowEvents,
    WhatsAppMessageTemplate,
)

FLOWS = os.path.join(os.path.dirname(__file__), "..", "flows")
BOOKING_LOGIC = os.path.join(os.path.dirname(__file__), "..", "booking-logic")


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

        # The business logic of both dynamic Flows: plain JSON in, plain JSON out (examples/booking-logic/index.py). It
        # tells the Flows apart by the flow token they are sent with: `booking-...` and `cancel-...`.
        booking_logic_logs = logs.LogGroup(self, "BookingLogicLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        booking_logic = lambda_.Function(self, "BookingLogic",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_asset(BOOKING_LOGIC),
            timeout=Duration.seconds(5),
            role=iam.Role(self, "BookingLogicRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")),
            log_group=booking_logic_logs,
        )
        booking_logic_logs.grant_write(booking_logic)

        # The endpoint Meta calls for both Flows: it decrypts each request, invokes the logic and encrypts its answer.
        # Its key is registered as the business public key of the phone number that sends the Flows
        # (`-c phoneNumberId=...`). Its URL is public, so it authenticates before it spends anything: each request's
        # X-Hub-Signature-256 and, on data API 4.0, its flow_token_signature must verify with the secret of the Meta
        # app attached to the Flows (`-c metaAppId=...`), kept in Secrets Manager under `-c appSecretName=...`.
        meta_app_id = self.node.try_get_context("metaAppId") or "1234567890123456"
        booking_endpoint = WhatsAppFlowEndpoint(self, "BookingEndpoint",
            handler=booking_logic,
            phone_number_ids=[self.node.try_get_context("phoneNumberId") or "phone-number-id-0123456789abcdef0123456789abcdef"],
            app_secret=secretsmanager.Secret.from_secret_name_v2(self, "MetaAppSecret",
                self.node.try_get_context("appSecretName") or "whatsapp-flows/meta-app-secret"),
            verify_flow_token_signature=True,
        )

        # Published after the endpoint answers and its key is registered: publishing makes Meta check the endpoint. Each
        # Flow names the Meta app whose secret the endpoint verifies with.
        booking = WhatsAppFlow(self, "AppointmentBooking",
            whats_app_business_account_id=waba_id,
            flow_name="appointment_booking",
            categories=[FlowCategory.APPOINTMENT_BOOKING],
            flow_json=FlowJson.from_file(os.path.join(FLOWS, "appointment-booking-dynamic.json")),
            endpoint=booking_endpoint,
            meta_app_id=meta_app_id,
            publish=True,
        )
        cancellation = WhatsAppFlow(self, "AppointmentCancellation",
            whats_app_business_account_id=waba_id,
            flow_name="appointment_cancellation",
            categories=[FlowCategory.APPOINTMENT_BOOKING],
            flow_json=FlowJson.from_file(os.path.join(FLOWS, "appointment-cancellation-dynamic.json")),
            endpoint=booking_endpoint,
            meta_app_id=meta_app_id,
            publish=True,
        )

        # The WABA's event destination (an SNS topic set with PutWhatsAppBusinessAccountEventDestinations) and the
        # team's alerts topic, both made elsewhere: `-c wabaEventTopicArn=arn:...` and `-c alertsTopicArn=arn:...`.
        def topic_arn(context: str, name: str) -> str:
            return self.node.try_get_context(context) or self.format_arn(service="sns", resource=name)

        waba_events = sns.Topic.from_topic_arn(self, "WabaEvents", topic_arn("wabaEventTopicArn", "waba-events"))
        alerts = targets.SnsTopic(sns.Topic.from_topic_arn(self, "Alerts", topic_arn("alertsTopicArn", "whatsapp-flow-alerts")))
        flow_events = WhatsAppFlowEvents(self, "FlowEvents", topic=waba_events)
        for name, flow in (("Feedback", feedback), ("Booking", booking), ("Cancellation", cancellation)):
            flow_events.on_status_change(f"{name}Held", flow=flow, new_statuses=["BLOCKED", "THROTTLED"], target=alerts)
            flow_events.on_version_expiry_warning(f"{name}VersionExpiring", flow=flow, target=alerts)

        CfnOutput(self, "FeedbackFlowId", value=feedback.flow_id)
        CfnOutput(self, "FeedbackFlowStatus", value=feedback.flow_status)
        CfnOutput(self, "FeedbackTemplateId", value=feedback_request.meta_template_id)
        CfnOutput(self, "FeedbackTemplateStatus", value=feedback_request.template_status)
        CfnOutput(self, "BookingFlowId", value=booking.flow_id)
        CfnOutput(self, "BookingPreviewUrl", value=booking.preview_url)
        CfnOutput(self, "CancellationFlowId", value=cancellation.flow_id)
        CfnOutput(self, "BookingEndpointUrl", value=booking_endpoint.url)


app = App()
WhatsAppFlowsExampleStack(app, "WhatsAppFlowsExample")
app.synth()
