import { Annotations, CustomResource, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AnswerContracts } from './answer-contracts';
import {
  ENDPOINT_METRIC_DIMENSION,
  ENDPOINT_METRICS_NAMESPACE,
  EndpointEnv,
  EndpointMetric,
  INVALID_FLOW_TOKEN,
  KEY_REGISTRATION_RESOURCE_TYPE,
  KeyRegistrationProperties,
  PHONE_NUMBER_ID,
  RESPONSE_MARGIN_MS,
} from './contract';
import { EndpointFunction } from './runtime/endpoint-function';
import { FlowEndpointConfig, IFlowEndpoint } from '../flow/flow-endpoint';
import { WhatsAppFlowProvider } from '../provider/whatsapp-flow-provider';

/**
 * How long the endpoint may work on one request. Meta waits 10 seconds for an answer; this leaves it two for the
 * network and the Function URL.
 */
const ENDPOINT_TIMEOUT = Duration.seconds(8);
const PHONE_NUMBER_ARN = /^arn:[^:]+:social-messaging:[^:]*:[^:]*:phone-number-id\/([0-9A-Za-z]+)$/;
const SOCIAL_MESSAGING_PRINCIPAL = 'social-messaging.amazonaws.com';
const MAX_ERROR_MESSAGE_LENGTH = 200;

/** Properties of a WhatsAppFlowEndpoint. */
export interface WhatsAppFlowEndpointProps {
  /**
   * The Flow's business logic: a function in any language that gets the plain request
   * `{version, action, screen, data, flow_token}` (action `INIT`, `BACK` or `data_exchange`) and returns the plain
   * response, such as `{screen, data}`. To say that the flow token is not (or no longer) valid, it returns
   * `{"error": "invalid_flow_token", "error_msg": "…"}`: Meta then shows `error_msg` and closes the Flow (HTTP 427).
   * It must answer within about 7 seconds.
   */
  readonly handler: lambda.IFunction;

  /**
   * The phone numbers whose Flows talk to this endpoint: their ids (`phone-number-id-…`) or ARNs. The key's public
   * key is registered as the business public key of each. A phone number has one business public key, so it can
   * belong to one endpoint only.
   */
  readonly phoneNumberIds: string[];

  /**
   * The KMS key that decrypts Meta's requests: an asymmetric key, RSA_2048, ENCRYPT_DECRYPT, used for nothing else.
   * When it belongs to this app, its key policy is given the statements it needs, among them a Deny of `kms:Decrypt`
   * to every principal but the endpoint's role; a key imported by ARN must already let
   * `social-messaging.amazonaws.com` call `kms:GetPublicKey` and the endpoint's role call `kms:Decrypt`.
   *
   * @default - a new key, retained when it leaves the stack
   */
  readonly key?: kms.IKey;

  /**
   * The Meta app's secret, as the secret's plain-text value. With it, every request's `X-Hub-Signature-256` is
   * verified; a request that does not verify is answered 432 before anything is decrypted.
   *
   * @default - signatures are not checked: the encryption alone protects the endpoint
   */
  readonly appSecret?: secretsmanager.ISecret;

  /**
   * On data API 4.0, also verify the request's `flow_token_signature` (a JWT, HS256, signed with the app secret) and
   * answer 432 when it does not verify. Needs `appSecret`.
   *
   * @default false
   */
  readonly verifyFlowTokenSignature?: boolean;

  /**
   * Shown to the customer (as a snackbar on the current screen) when the handler fails on a `data_exchange`:
   * it throws, times out or returns something that is not an object.
   *
   * @default 'Something went wrong. Please try again.'
   */
  readonly errorMessage?: string;

  /**
   * The most requests the endpoint serves at once; more are throttled, and Meta sees an error.
   *
   * @default - no reserved concurrency: the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Check every answer of the handler against the Flow JSON of the Flows bound to this endpoint (their screens,
   * routes and declared data, learnt at synth time) before it is encrypted. A wrong answer is counted in the metric
   * `AnswerContractViolations` (see `metricAnswerContractViolations()`) and logged with the screen and the rule's code,
   * never with the answer's data; it still goes to Meta unchanged. On by default: a wrong answer is the most common
   * way a dynamic Flow breaks in production, Meta then only shows the customer a generic error, and the check costs
   * well under a millisecond. Off, the endpoint function does not get the contracts.
   *
   * @default true
   */
  readonly checkAnswers?: boolean;
}

/** The ARN of a phone number, from its id (`phone-number-id-…`) or its ARN. */
function phoneNumberArnOf(scope: Construct, idOrArn: string): string {
  if (!Token.isUnresolved(idOrArn) && PHONE_NUMBER_ARN.test(idOrArn)) return idOrArn;
  // The ARN names the number without the id's `phone-number-id-` prefix.
  const resourceName = Token.isUnresolved(idOrArn)
    ? Fn.select(1, Fn.split('phone-number-id-', idOrArn))
    : idOrArn.replace(/^phone-number-id-/, '');
  return Stack.of(scope).formatArn({ service: 'social-messaging', resource: 'phone-number-id', resourceName });
}

/** The id (`phone-number-id-…`) of a phone number, from its id or its ARN. */
function phoneNumberIdOf(idOrArn: string): string {
  return Token.isUnresolved(idOrArn) ? idOrArn : idOrArn.replace(PHONE_NUMBER_ARN, 'phone-number-id-$1');
}

/**
 * The data-exchange endpoint of dynamic WhatsApp Flows, with the encryption done by the library: the business logic
 * is a plain function that gets plain JSON and returns plain JSON.
 *
 * It is made of
 * - a KMS key (RSA_2048) whose private key never leaves KMS: AWS End User Messaging Social reads its public key,
 *   and only the endpoint's role may decrypt with it;
 * - a custom resource that registers the key as the business public key of the phone numbers
 *   (PutWhatsAppBusinessPublicKey) and checks that Meta signed it (GetWhatsAppBusinessPublicKey);
 * - a Lambda function behind a Function URL (HTTPS, auth NONE: Meta cannot sign AWS requests) that decrypts each
 *   request (one KMS Decrypt), answers health checks and error notifications itself, invokes the handler for
 *   `INIT`, `BACK` and `data_exchange`, and encrypts its answer.
 *
 * Deleting the endpoint leaves the business public key registered for the phone numbers (there is no API to unset
 * it); a new key registered for them replaces it.
 *
 * @resource Custom::WhatsAppBusinessPublicKey
 * @see https://developers.facebook.com/docs/whatsapp/flows/guides/implementingyourflowendpoint
 */
export class WhatsAppFlowEndpoint extends Construct implements IFlowEndpoint {
  /**
   * The value of `error` in a handler's answer that says the flow token is not (or no longer) valid:
   * `{"error": "invalid_flow_token", "error_msg": "…"}` makes the endpoint answer Meta with HTTP 427.
   */
  public static readonly INVALID_FLOW_TOKEN: string = INVALID_FLOW_TOKEN;

  /** The HTTPS URL Meta calls: the Flow's `endpointUri`. */
  public readonly url: string;

  /** The KMS key that decrypts Meta's requests. */
  public readonly key: kms.IKey;

  /** The function behind the URL. */
  public readonly endpointFunction: lambda.IFunction;

  /** The Function URL. */
  public readonly functionUrl: lambda.IFunctionUrl;

  /** The registration of the key as the business public key of the phone numbers. */
  public readonly keyRegistration: CustomResource;

  /** The answer contracts of the bound Flows, for the answer guard; undefined when `checkAnswers` is false. */
  private readonly answerContracts?: AnswerContracts;

  constructor(scope: Construct, id: string, props: WhatsAppFlowEndpointProps) {
    super(scope, id);
    this.checkProps(props);

    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.key = props.key ?? new kms.Key(this, 'Key', {
      description: `cdk-whatsapp-flows: decrypts Meta's requests to the Flow endpoint ${this.node.path}`,
      keySpec: kms.KeySpec.RSA_2048,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      // Meta keeps encrypting with this key until another is registered: keep it unless the user says otherwise.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.configureKeyPolicy(role);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const environment: Record<string, string> = {
      [EndpointEnv.KMS_KEY_ID]: this.key.keyArn,
      [EndpointEnv.HANDLER_FUNCTION]: props.handler.functionArn,
    };
    if (props.appSecret) environment[EndpointEnv.APP_SECRET_ARN] = props.appSecret.secretArn;
    if (props.verifyFlowTokenSignature) environment[EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE] = 'true';
    if (props.errorMessage !== undefined) environment[EndpointEnv.ERROR_MESSAGE] = props.errorMessage;
    const fn = new EndpointFunction(this, 'Function', {
      description: 'cdk-whatsapp-flows: the encrypted data-exchange endpoint of WhatsApp Flows',
      timeout: ENDPOINT_TIMEOUT,
      memorySize: 512,
      role,
      logGroup,
      environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
    logGroup.grantWrite(fn);
    this.checkHandlerTimeout(props.handler);
    // The handler function's own ARN (a version or alias ARN when that is what was passed), not `ARN:*`.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.handler.functionArn] }));
    props.appSecret?.grantRead(role);
    this.endpointFunction = fn;
    if (props.checkAnswers ?? true) this.answerContracts = new AnswerContracts(this, fn);

    this.functionUrl = fn.addFunctionUrl({
      // Meta cannot sign AWS requests: Meta's signature and the encryption protect the endpoint.
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.BUFFERED,
      // Browsers may only POST, from no origin; the function itself answers any other method with 405.
      cors: { allowedMethods: [lambda.HttpMethod.POST] },
    });
    this.url = this.functionUrl.url;

    const provider = WhatsAppFlowProvider.getOrCreate(this);
    provider.allowKeyRegistration(props.phoneNumberIds.map((n) => phoneNumberArnOf(this, n)));
    const properties: KeyRegistrationProperties = { KmsKeyArn: this.key.keyArn, PhoneNumberIds: props.phoneNumberIds.map(phoneNumberIdOf) };
    this.keyRegistration = new CustomResource(this, 'KeyRegistration', {
      serviceToken: provider.serviceToken,
      resourceType: KEY_REGISTRATION_RESOURCE_TYPE,
      properties: properties as unknown as Record<string, unknown>,
      serviceTimeout: Duration.minutes(10),
    });
    // Meta may check the key as soon as it is registered: the key policy must let the service read it first.
    this.keyRegistration.node.addDependency(this.key);
  }

  /**
   * Called by a WhatsAppFlow that uses this endpoint: the Flow is created (and published) after the Function URL
   * answers and the key is registered, since publishing makes Meta call the endpoint's health check at once.
   * "Answers" means the function, its URL and both of the URL's public invoke permissions: without them the health
   * check would get a 403.
   */
  public bind(scope: Construct): FlowEndpointConfig {
    this.answerContracts?.register(scope);
    return { url: this.url, dependsOn: [this.endpointFunction, this.functionUrl, this.keyRegistration] };
  }

  /**
   * One of the endpoint's metrics, in the namespace `cdk-whatsapp-flows/FlowEndpoint`: `DecryptionFailures`,
   * `SignatureFailures`, `InvalidFlowTokens`, `HandlerErrors`, `EndpointErrors`, `ErrorNotifications` or
   * `AnswerContractViolations`. Each is
   * a count of requests. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: ENDPOINT_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [ENDPOINT_METRIC_DIMENSION]: this.endpointFunction.functionName },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /**
   * Requests answered 421 because they could not be decrypted with the key. Meta answers a 421 by fetching the
   * public key again and retrying, so a few after a key change are expected; a steady stream means that the phone
   * number's registered key is not this endpoint's. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricDecryptionFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(EndpointMetric.DECRYPTION_FAILURES, props);
  }

  /**
   * Requests answered 432 because `X-Hub-Signature-256` or `flow_token_signature` did not verify with the app
   * secret. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricSignatureFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(EndpointMetric.SIGNATURE_FAILURES, props);
  }

  /**
   * Requests answered 427 because the handler said the flow token is not valid. Unless `props` say otherwise, the
   * sum over 5 minutes.
   */
  public metricInvalidFlowTokens(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(EndpointMetric.INVALID_FLOW_TOKENS, props);
  }

  /**
   * Requests whose handler threw, timed out or returned something that is not an object. Unless `props` say
   * otherwise, the sum over 5 minutes.
   */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(EndpointMetric.HANDLER_ERRORS, props);
  }

  /**
   * Answers of the handler that break the Flow JSON's contract (see `checkAnswers`): a screen that does not exist or
   * that routing_model does not allow, data the screen does not declare that way, a SUCCESS without the flow token.
   * Each was sent to Meta unchanged, and Meta most likely showed the customer an error. The log line says which
   * screen and rule. An endpoint serving several Flows counts an answer only when it fits none of the Flows whose
   * screen the request came from. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricAnswerContractViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(EndpointMetric.ANSWER_CONTRACT_VIOLATIONS, props);
  }

  /**
   * Every request that Meta got an error for: handler failures, 421, 432, KMS or Secrets Manager failures, requests
   * that are not Meta's, and invocations of the endpoint function that failed or were throttled. 427 is not counted:
   * it is the handler's answer. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'FILL(handler, 0) + FILL(decryption, 0) + FILL(signature, 0) + FILL(endpoint, 0) + FILL(crashes, 0) + FILL(throttles, 0)',
      usingMetrics: {
        handler: this.metricHandlerErrors(props),
        decryption: this.metricDecryptionFailures(props),
        signature: this.metricSignatureFailures(props),
        endpoint: this.metric(EndpointMetric.ENDPOINT_ERRORS, props),
        crashes: this.endpointFunction.metricErrors(props),
        throttles: this.endpointFunction.metricThrottles(props),
      },
      label: props?.label ?? 'Flow endpoint errors',
      period: props?.period,
    });
  }

  /**
   * How long the endpoint function takes per request, the handler's time included: what Meta waits for, less the
   * network. Meta gives up after 10 seconds. Unless `props` say otherwise, the p99 over 5 minutes.
   */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.endpointFunction.metricDuration({ statistic: cloudwatch.Stats.p(99), ...props });
  }

  /** The key policy: the service reads the public key for this account only, and only the endpoint's role decrypts. */
  private configureKeyPolicy(role: iam.IRole): void {
    const account = Stack.of(this).account;
    const readable = this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'SocialMessagingReadsThePublicKey',
      principals: [new iam.ServicePrincipal(SOCIAL_MESSAGING_PRINCIPAL)],
      actions: ['kms:GetPublicKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'TheEndpointDecrypts',
      principals: [role],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } },
    }));
    // The account's administrators keep the key (CDK's default statement), but none of them may decrypt with it.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'NobodyElseDecrypts',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
    }));
    if (!readable.statementAdded) {
      // An imported key: its policy cannot be changed here, so the role is given Decrypt by its own policy.
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.key.keyArn] }));
      Annotations.of(this).addWarningV2('cdk-whatsapp-flows:IMPORTED_ENDPOINT_KEY',
        `The key policy of ${this.key.keyArn} cannot be changed by this app: it must let ${SOCIAL_MESSAGING_PRINCIPAL} call `
        + 'kms:GetPublicKey (for this account) and this endpoint\'s role call kms:Decrypt, or the key registration fails.');
    }
  }

  /** A handler that may run longer than the endpoint waits for it keeps running (and billing) after Meta got its answer. */
  private checkHandlerTimeout(handler: lambda.IFunction): void {
    const timeout = handler instanceof lambda.Function ? handler.timeout : undefined;
    const budget = ENDPOINT_TIMEOUT.toMilliseconds() - RESPONSE_MARGIN_MS;
    if (timeout && !timeout.isUnresolved() && timeout.toMilliseconds() > budget) {
      Annotations.of(this).addWarningV2('cdk-whatsapp-flows:ENDPOINT_HANDLER_TIMEOUT',
        `The handler's timeout is ${timeout.toSeconds()} s, but the endpoint waits for it at most ${budget / 1000} s (Meta waits 10 s for `
        + 'the whole answer): a slower answer is never seen. Give the handler a timeout of at most 7 seconds.');
    }
  }

  /** Every problem with the props at once, naming this construct. Tokens are checked at deploy time. */
  private checkProps(props: WhatsAppFlowEndpointProps): void {
    const problems: string[] = [];
    const ids = props.phoneNumberIds ?? [];
    if (!Token.isUnresolved(ids)) {
      if (ids.length === 0) problems.push('phoneNumberIds must name at least one phone number');
      for (const id of ids) {
        if (!Token.isUnresolved(id) && !PHONE_NUMBER_ID.test(id) && !PHONE_NUMBER_ARN.test(id)) {
          problems.push(`'${id}' is neither a phone number id ('phone-number-id-' and letters or digits) nor a phone number ARN; `
            + 'find it with `aws socialmessaging list-linked-whatsapp-business-accounts`');
        }
      }
      const resolved = ids.filter((id) => !Token.isUnresolved(id)).map(phoneNumberIdOf);
      const duplicates = resolved.filter((id, i) => resolved.indexOf(id) !== i);
      if (duplicates.length) problems.push(`phoneNumberIds names ${[...new Set(duplicates)].join(', ')} more than once`);
    }
    if (props.verifyFlowTokenSignature && !props.appSecret) {
      problems.push('verifyFlowTokenSignature needs appSecret: flow_token_signature is signed with the Meta app\'s secret');
    }
    const message = props.errorMessage;
    if (message !== undefined && !Token.isUnresolved(message) && (message.trim() === '' || message.length > MAX_ERROR_MESSAGE_LENGTH)) {
      problems.push(`errorMessage must be 1 to ${MAX_ERROR_MESSAGE_LENGTH} characters long`);
    }
    const concurrency = props.reservedConcurrentExecutions;
    if (concurrency !== undefined && !Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1)) {
      problems.push(`reservedConcurrentExecutions must be a whole number of at least 1, not ${concurrency}`);
    }
    if (problems.length) throw new Error(`WhatsAppFlowEndpoint ${this.node.path}: ${problems.join('; ')}`);
  }
}
