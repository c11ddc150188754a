/**
 * The events the WhatsAppFlowEvents function puts on the bus: each detail type and the shape of its detail. Public:
 * consumers (a rule's target, a Lambda function in TypeScript or Python) read these.
 */

/** The `detail-type` of the events the function puts on the bus, one for each kind of Flow event. */
export enum FlowEventDetailType {
  /** A customer completed a Flow: an `nfm_reply` message. */
  RESPONSE = 'WhatsApp Flow Response',
  /** Meta changed a Flow's status (`FLOW_STATUS_CHANGE`), for example from PUBLISHED to BLOCKED. */
  STATUS_CHANGE = 'WhatsApp Flow Status Change',
  /** The Flow JSON version of a Flow approaches its end of life (`FLOW_VERSION_EXPIRY_WARNING`). */
  VERSION_EXPIRY_WARNING = 'WhatsApp Flow Version Expiry Warning',
}

/** What every detail carries: where the event came from. */
export interface FlowEventDetailBase {
  /** Meta's id of the WhatsApp Business Account (the webhook entry's `id`). */
  readonly wabaId: string;
  /** When it happened, ISO 8601. */
  readonly timestamp: string;
}

/**
 * The detail of a "WhatsApp Flow Response" event.
 *
 * Who answered: key on `userId`, the business-scoped user id (BSUID). Since April 2026 Meta gives every user one
 * (`from_user_id` on the message, `user_id` on its contact); it is stable for this business and is present whether or
 * not the user shares a phone number. Since the end of June 2026 a user who adopted a WhatsApp username may come with
 * no phone number at all (no `from`, no `wa_id`), so `from` is optional and must not be the key. The username can
 * change at any time: display it, never key on it.
 */
export interface FlowResponseDetail extends FlowEventDetailBase {
  /** The `flow_token` the sender chose when it sent the Flow; absent when the response carries none. */
  readonly flowToken?: string;
  /**
   * `response_json` parsed: the fields the customer submitted (and `flow_token`). Customer data.
   *
   * A PhotoPicker or DocumentPicker field is a list of files. With a media bucket each file is
   * `FlowResponseMediaFile` (where the function had AWS store it); without one, each is what Meta sent
   * (`{file_name, mime_type, sha256, id}`). Either way, `cdn_url` and `encryption_metadata` never get here.
   */
  readonly responseJson: Record<string, unknown>;
  /**
   * The customer's WhatsApp number, when Meta shares it: absent for a user who adopted a username and has no recent
   * conversation with the business. Customer data. Key on `userId` instead.
   */
  readonly from?: string;
  /**
   * The customer's business-scoped user id (BSUID), such as `US.13491208655302741918`: the message's `from_user_id`
   * (or its contact's `user_id`). Stable for this business portfolio and present with or without a phone number:
   * the identifier to key on. A user who changes phone number gets a new one (Meta sends a `user_changed_user_id`
   * system message). Absent only in webhooks from before April 2026. Customer data.
   */
  readonly userId?: string;
  /**
   * The parent BSUID (`US.ENT.…`), shared by the linked business portfolios of a managed business, when Meta has
   * enabled parent BSUIDs for it. Customer data.
   */
  readonly parentUserId?: string;
  /** The customer's WhatsApp username (`profile.username` of the contact), when the user adopted one. Changeable. */
  readonly username?: string;
  /**
   * Media files of the response that could not be stored in the media bucket: each named by its field and file
   * name, with the reason. The file is not in the bucket and not in `responseJson`. Present only when some failed.
   */
  readonly mediaErrors?: FlowResponseMediaError[];
  /** The id of the reply message (`wamid.…`): unique, so a consumer can drop a repeated delivery. */
  readonly messageId: string;
  /** The id of the message that carried the Flow, when WhatsApp gives it. */
  readonly contextMessageId?: string;
  /** Meta's id of the business phone number that received the reply, when known. */
  readonly phoneNumberId?: string;
}

/** A PhotoPicker or DocumentPicker file that AWS stored in the media bucket: what `responseJson` holds for it. */
export interface FlowResponseMediaFile {
  /** The file's name on the customer's device (Meta's `file_name`). Customer data. */
  readonly fileName: string;
  /** The media bucket's name. */
  readonly bucket: string;
  /** The object's key: `<mediaPrefix><phone-number-id>/<message key>/<media id>`. */
  readonly key: string;
  /** Bytes, as GetWhatsAppMessageMedia reported them. */
  readonly size?: number;
  /** Meta's SHA-256 of the file, base64: compare it with the object when you read it. */
  readonly sha256?: string;
  /** The MIME type (GetWhatsAppMessageMedia's, else Meta's `mime_type`). */
  readonly contentType?: string;
}

/** A media file that could not be stored. */
export interface FlowResponseMediaError {
  /** The `response_json` field (the PhotoPicker or DocumentPicker) it belonged to. */
  readonly field: string;
  /** The file's name, when Meta gave one. Customer data. */
  readonly fileName?: string;
  /** Why: the error name of GetWhatsAppMessageMedia (such as `ResourceNotFoundException`), or what was missing. */
  readonly reason: string;
}

/** The detail of a "WhatsApp Flow Status Change" event. */
export interface FlowStatusChangeDetail extends FlowEventDetailBase {
  readonly flowId: string;
  /** DRAFT, PUBLISHED, DEPRECATED, BLOCKED or THROTTLED; absent for a Flow that was just created. */
  readonly oldStatus?: string;
  readonly newStatus: string;
  /** Why, when Meta says (AWS's documented payload). */
  readonly reason?: string;
  /** Meta's sentence about the change, when it sends one. */
  readonly message?: string;
}

/** The detail of a "WhatsApp Flow Version Expiry Warning" event. */
export interface FlowVersionExpiryWarningDetail extends FlowEventDetailBase {
  readonly flowId: string;
  /** Meta's warning, for example "Your current Flow version will freeze in 21 days. …". */
  readonly warning: string;
}
