/**
 * The one contract between the WhatsAppFlow construct and its custom-resource handler: the names of the
 * resource properties the construct writes and the attributes the handler returns.
 *
 * CloudFormation hands every scalar property to the handler as a string, so booleans travel as 'true'/'false'.
 * What happens on removal is CloudFormation's DeletionPolicy alone: a retained Flow's Delete never reaches the handler.
 */
export interface FlowResourceProperties {
  /** The WABA id (`waba-…`) or its ARN, as the user gave it. */
  readonly WhatsAppBusinessAccountId: string;
  readonly FlowName: string;
  readonly Categories: string[];
  /** Where the Flow JSON asset lives; absent when the Flow has no JSON of its own. */
  readonly FlowJsonBucket?: string;
  /** The asset's object key; it names the content hash, so a changed file is a changed key. */
  readonly FlowJsonKey?: string;
  readonly Publish: 'true' | 'false' | boolean;
  readonly CloneFlowId?: string;
  /** Take over a Flow of the same name made elsewhere instead of failing; read at creation only. */
  readonly AdoptExistingFlow?: 'true' | 'false' | boolean;
  /** The HTTPS URL of a dynamic Flow's data-exchange endpoint. */
  readonly EndpointUri?: string;
  /** The Meta app attached to the Flow; attaching cannot be undone. */
  readonly MetaAppId?: string;
  /**
   * 'true' when the stack uses the `PreviewUrl` attribute: only then does a Create spend a read on it. Set by the
   * construct when its `previewUrl` is used.
   */
  readonly ReadPreviewUrl?: 'true' | 'false' | boolean;
}

/** The attributes the handler returns in `Data`. */
export const FlowAttribute = {
  FLOW_ID: 'FlowId',
  FLOW_STATUS: 'FlowStatus',
  PREVIEW_URL: 'PreviewUrl',
} as const;

export type FlowAttributes = Record<(typeof FlowAttribute)[keyof typeof FlowAttribute], string>;

/** The CloudFormation resource type of a Flow. */
export const FLOW_RESOURCE_TYPE = 'Custom::WhatsAppFlow';
