/**
 * The contract between WhatsAppFlowEndpoint and the code it deploys: the key-registration custom resource's
 * properties and attributes (read by the provider's handler), and the endpoint function's environment and metrics
 * (read by the runtime). No name here is spelled anywhere else.
 *
 * CloudFormation hands every scalar property to the handler as a string.
 */
export interface KeyRegistrationProperties {
  /** The KMS key (RSA_2048, ENCRYPT_DECRYPT) whose public key Meta encrypts with. */
  readonly KmsKeyArn: string;
  /** The phone number ids (`phone-number-id-…`) the key is registered for. */
  readonly PhoneNumberIds: string[];
}

/** The CloudFormation resource type of a key registration. */
export const KEY_REGISTRATION_RESOURCE_TYPE = 'Custom::WhatsAppBusinessPublicKey';

/** A phone number id as the API takes it. */
export const PHONE_NUMBER_ID = /^phone-number-id-[0-9A-Za-z]+$/;

/** The endpoint function's environment. */
export const EndpointEnv = {
  /** The KMS key that decrypts Meta's AES keys. */
  KMS_KEY_ID: 'FLOW_ENDPOINT_KMS_KEY_ID',
  /** The user's function, invoked with the plain request. */
  HANDLER_FUNCTION: 'FLOW_ENDPOINT_HANDLER',
  /** Secrets Manager secret holding the Meta app secret; unset: no signature checks. */
  APP_SECRET_ARN: 'FLOW_ENDPOINT_APP_SECRET_ARN',
  /** The field of a JSON secret that holds the Meta app secret; unset: the secret's plain-text value is the secret. */
  APP_SECRET_FIELD: 'FLOW_ENDPOINT_APP_SECRET_FIELD',
  /** During a key rotation, the key Meta may still encrypt with: tried when the current key does not fit. */
  PREVIOUS_KMS_KEY_ID: 'FLOW_ENDPOINT_PREVIOUS_KMS_KEY_ID',
  /**
   * The KMS Decrypts one sandbox may send in any second (the prop `kmsDecryptsPerSecondPerExecution`), a whole number
   * of at least 1; unset: `KMS_DECRYPTS_PER_SECOND_PER_SANDBOX`.
   */
  KMS_DECRYPTS_PER_SECOND: 'FLOW_ENDPOINT_KMS_DECRYPTS_PER_SECOND',
  /** 'true': on data API 4.0, requests must carry a valid `flow_token_signature`. */
  VERIFY_FLOW_TOKEN_SIGNATURE: 'FLOW_ENDPOINT_VERIFY_FLOW_TOKEN_SIGNATURE',
  /** The message shown in the Flow (a snackbar) when the user's function fails on a data_exchange. */
  ERROR_MESSAGE: 'FLOW_ENDPOINT_ERROR_MESSAGE',
  /** Media: the S3 bucket PhotoPicker/DocumentPicker files are stored in; unset: media entries pass through. */
  MEDIA_BUCKET: 'FLOW_ENDPOINT_MEDIA_BUCKET',
  /** Media: the key prefix, without a trailing slash. */
  MEDIA_PREFIX: 'FLOW_ENDPOINT_MEDIA_PREFIX',
  /** Media: the hosts a `cdn_url` may name, comma-separated (`*.` for any subdomain, `:port` for another port than 443). */
  MEDIA_HOSTS: 'FLOW_ENDPOINT_MEDIA_HOSTS',
  /** The answer contracts of the Flows bound to the endpoint (runtime/answer-guard.ts); unset: answers are not checked. */
  ANSWER_CONTRACT: 'FLOW_ENDPOINT_ANSWER_CONTRACT',
} as const;

/** The endpoint function's embedded-metric-format namespace and dimension. */
export const ENDPOINT_METRICS_NAMESPACE = 'cdk-whatsapp-flows/FlowEndpoint';
export const ENDPOINT_METRIC_DIMENSION = 'FunctionName';

/** The metrics the endpoint function emits, one count per request of that outcome. */
export const EndpointMetric = {
  /** Answered 421: the request could not be decrypted with the key (Meta re-fetches the public key and retries). */
  DECRYPTION_FAILURES: 'DecryptionFailures',
  /** Answered 432: the X-Hub-Signature-256 or flow_token_signature did not verify. */
  SIGNATURE_FAILURES: 'SignatureFailures',
  /** Answered 427: the user's function said the flow token is not valid. */
  INVALID_FLOW_TOKENS: 'InvalidFlowTokens',
  /** The user's function threw, timed out or answered something that is not a response. */
  HANDLER_ERRORS: 'HandlerErrors',
  /**
   * Answered 429 without calling KMS: the sandbox had spent its `KMS_DECRYPTS_PER_SECOND_PER_SANDBOX` Decrypts of the
   * second (a flood, or more traffic than the endpoint's concurrency serves).
   */
  DECRYPT_THROTTLED: 'DecryptThrottled',
  /**
   * The endpoint itself failed (KMS or Secrets Manager unavailable, an app secret that is blank or lacks its field,
   * a request that is not Meta's): 4xx/5xx.
   */
  ENDPOINT_ERRORS: 'EndpointErrors',
  /** Error notifications Meta sent about the Flow's previous responses. */
  ERROR_NOTIFICATIONS: 'ErrorNotifications',
  /** Media: one count per PhotoPicker/DocumentPicker file that was not stored (runtime/media.ts says why). */
  MEDIA_REJECTED: 'MediaRejected',
  /** Answers of the user's function that break the Flow JSON's contract (sent to Meta unchanged). */
  ANSWER_CONTRACT_VIOLATIONS: 'AnswerContractViolations',
} as const;

/**
 * What the user's function returns to say the flow token is not (or no longer) valid: the endpoint answers 427 and
 * the Flow shows `error_msg`, if given, and cannot be continued.
 */
export const INVALID_FLOW_TOKEN = 'invalid_flow_token';

/**
 * Time the endpoint keeps back from its own budget to encrypt and return the answer after the user's function: the
 * function gets what is left of the endpoint's timeout less this.
 */
export const RESPONSE_MARGIN_MS = 700;

/**
 * What forged traffic may cost at the default settings. Each sandbox of the endpoint function serves one request at
 * a time and spends at most `KMS_DECRYPTS_PER_SECOND_PER_SANDBOX` RSA Decrypts a second; with the default reserved
 * concurrency that is at most 20 × 5 = 100 Decrypts a second per endpoint: a fifth of KMS's RSA request quota
 * (500 a second per account and Region, shared by every RSA key).
 */
export const ENDPOINT_DEFAULT_RESERVED_CONCURRENCY = 20;
export const KMS_DECRYPTS_PER_SECOND_PER_SANDBOX = 5;
