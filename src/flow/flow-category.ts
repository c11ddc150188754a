/**
 * What a Flow is for. Meta uses the categories to classify the Flow's business purpose.
 *
 * @see https://docs.aws.amazon.com/social-messaging/latest/APIReference/API_CreateWhatsAppFlow.html
 */
export enum FlowCategory {
  /** Create an account or register. */
  SIGN_UP = 'SIGN_UP',
  /** Sign in to an existing account. */
  SIGN_IN = 'SIGN_IN',
  /** Book, change or cancel an appointment. */
  APPOINTMENT_BOOKING = 'APPOINTMENT_BOOKING',
  /** Collect details of a prospective customer. */
  LEAD_GENERATION = 'LEAD_GENERATION',
  /** Browse products and buy. */
  SHOPPING = 'SHOPPING',
  /** Get in touch with the business. */
  CONTACT_US = 'CONTACT_US',
  /** Get help with an issue. */
  CUSTOMER_SUPPORT = 'CUSTOMER_SUPPORT',
  /** Answer a survey or give feedback. */
  SURVEY = 'SURVEY',
  /** Anything else. */
  OTHER = 'OTHER',
}
