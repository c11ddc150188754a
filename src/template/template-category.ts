/**
 * What a message template is for; Meta prices and reviews templates by category. A template with a FLOW button is
 * a marketing or a utility template (authentication templates carry a one-time password and nothing else).
 *
 * Meta may re-categorise a template during review; the deploy logs the category Meta answers with.
 *
 * @see https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates#categories
 */
export enum TemplateCategory {
  /** Promotions, offers, announcements, invitations to engage: a feedback survey is marketing. */
  MARKETING = 'MARKETING',
  /** A follow-up on a transaction the customer started or agreed to: an order update, an appointment reminder. */
  UTILITY = 'UTILITY',
}
