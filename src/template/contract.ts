/**
 * The one contract between the WhatsAppMessageTemplate construct and its custom-resource handler: the names of the
 * resource properties the construct writes and the attributes the handler returns.
 *
 * The construct passes the template's parts, not Meta's template JSON: the handler builds that JSON at deploy time,
 * once CloudFormation has resolved every token (the Flow's id above all), checks the parts that were tokens at synth
 * time with the same code the synth ran, and tells an edit Meta allows from one it refuses part by part.
 */
export interface TemplateResourceProperties {
  /** The WABA id (`waba-…`) or its ARN, as the user gave it (or the Flow's). */
  readonly WhatsAppBusinessAccountId: string;
  /** Create-only: a change is a replacement. */
  readonly TemplateName: string;
  /** Create-only: a change is a replacement. */
  readonly Language: string;
  readonly Category: string;
  readonly Body: string;
  readonly BodyExamples?: string[];
  readonly Header?: string;
  readonly HeaderExample?: string;
  readonly Footer?: string;
  /** The FLOW button: the Flow's id (a token the Flow resource resolves), its label, action and first screen. */
  readonly FlowId?: string;
  readonly ButtonText?: string;
  readonly FlowAction?: string;
  readonly NavigateScreen?: string;
}

/** The attributes the handler returns in `Data`. */
export const TemplateAttribute = {
  META_TEMPLATE_ID: 'MetaTemplateId',
  TEMPLATE_STATUS: 'TemplateStatus',
} as const;

export type TemplateAttributes = Record<(typeof TemplateAttribute)[keyof typeof TemplateAttribute], string>;

/** The CloudFormation resource type of a message template. */
export const TEMPLATE_RESOURCE_TYPE = 'Custom::WhatsAppMessageTemplate';

/** The properties whose change makes a new template: Meta keys a template by WABA, name and language. */
export const CREATE_ONLY_PROPERTIES: ReadonlyArray<keyof TemplateResourceProperties> = ['WhatsAppBusinessAccountId', 'TemplateName', 'Language'];
