import { Annotations, CustomResource, Duration, Lazy, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, DependencyGroup, IConstruct, IDependable } from 'constructs';
import { AnswerContracts } from './answer-contracts';
import {
  ENDPOINT_DEFAULT_RESERVED_CONCURRENCY,
  ENDPOINT_METRIC_DIMENSION,
  ENDPOINT_METRICS_NAMESPACE,
  EndpointEnv,
  EndpointMetric,
  INVALID_FLOW_TOKEN,
  KEY_REGISTRATION_RESOURCE_TYPE,
  KeyRegistrationProperties,
  KMS_DECRYPTS_PER_SECOND_PER_SANDBOX,
  PHONE_NUMBER_ID,
  RESPONSE_MARGIN_MS,
} from './contract';
import { FlowEndpointMediaProps } from './media-props';
import { configureEndpointMedia } from './media-setup';
import { EndpointFunction } from './runtime/endpoint-function';
import { FlowEndpointConfig, IFlowEndpoint } from '../flow/flow-endpoint';
import { PHONE_NUMBER_ARN, phoneNumberArnOf, phoneNumberIdOf } from '../phone-number/phone-number-names';
import { WhatsAppFlowProvider } from '../provider/whatsapp-flow-provider';

/**
 * How long the endpoint may work on one request. Meta waits 10 seconds for an answer; this leaves it two for the
 * network and the Function URL.
 */
const ENDPOINT_TIMEOUT = Duration.seconds(8);
const SOCIAL_MESSAGING_PRINCIPAL = 'social-messaging.amazonaws.com';
const MAX_ERROR_MESSAGE_LENGTH = 200;
/** Enough CPU for the KMS call, the AES work and the answer guard well within Meta's 10 seconds, cold starts included. */
const ENDPOINT_DEFAULT_MEMORY_SIZE = 512;
/** What the Deny of a key policy takes from every principal but the endpoints' roles: all that yields the plain text. */
const DENIED_KEY_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** The statements of each key's policy that name the endpoint roles using it, made once per key. */
const keyPolicies = new WeakMap<kms.IKey, { readonly roles: iam.IRole[]; readonly decrypts?: iam.PolicyStatement }>();

/**
 * Phone numbers claimed by endpoints, per app (per stack for tokens, which are equal only within one stack): the
 * number's id → the key it is registered with and the endpoint that claimed it first.
 */
const claimedNumbers = new WeakMap<IConstruct, Map<string, { readonly keyArn: string; readonly path: string }>>();

/** Properties of a WhatsAppFlowEndpoint. */
export interface WhatsAppFlowEndpointProps extends FlowEndpointMediaProps {
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
   * key is registered as the business public key of each. A phone number has one business public key, so endpoints
   * that serve the same number must share one `key`; a number registered with two keys fails the synth.
   */
  readonly phoneNumberIds: string[];

  /**
   * The KMS key that decrypts Meta's requests: an asymmetric key, RSA_2048, ENCRYPT_DECRYPT, used for nothing else.
   * When it belongs to this app, its key policy is given the statements it needs: the service may read the public
   * key, the endpoints' roles may decrypt, and every other principal is denied `kms:Decrypt` and `kms:ReEncrypt*`.
   * Meta holds one business public key per phone number, so endpoints that serve Flows of the same number share
   * one key: pass the same key to each, and its statements name all of their roles. A key imported by ARN must
   * already allow the same (see the README's "An imported key").
   *
   * @default - a new key, retained when it leaves the stack
   */
  readonly key?: kms.IKey;

  /**
   * During a key rotation, the key that Meta may still encrypt with: the endpoint decrypts with `key` and, when a
   * request does not fit it, with this one, so no request fails while Meta changes over. To rotate, pass the new key
   * as `key` and the old one as `previousKey` and deploy (the function that knows both keys is updated before the
   * new key is registered); remove `previousKey` in a later deploy, once `metricDecryptionFailures` stays at zero.
   * It gets the same key policy statements as `key` (an imported key must already allow the endpoint's role to
   * call `kms:Decrypt`).
   *
   * @default - no previous key
   */
  readonly previousKey?: kms.IKey;

  /**
   * The Meta app's secret. With it, every request's `X-Hub-Signature-256` is verified and a request that does not
   * verify is answered 432 before anything is decrypted, read or invoked. Meta signs a Flow's requests with the
   * secret of the app attached to the Flow, so each `WhatsAppFlow` that uses this endpoint needs `metaAppId` (the
   * synth fails without it).
   *
   * @default - signatures are not checked, and the synth warns: the public key is public, so anyone who has it can
   * send well-formed encrypted requests that reach the handler and spend KMS calls. The encryption keeps requests
   * secret; it does not prove that Meta sent them.
   */
  readonly appSecret?: secretsmanager.ISecret;

  /**
   * The field of `appSecret`'s JSON value that holds the Meta app's secret, as `ecs.Secret.fromSecretsManager(secret,
   * field)` takes it.
   *
   * @default - the secret's whole plain-text value is the app secret
   */
  readonly appSecretField?: string;

  /**
   * On data API 4.0, also verify the request's `flow_token_signature` (a JWT, HS256, signed with the app secret) and
   * answer 432 when it does not verify. Needs `appSecret`. Meta sends no `flow_token_signature` on data API 3.0, so
   * there this checks nothing: a Flow whose JSON has `"data_api_version": "3.0"` gets a synth warning.
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
   * The most requests the endpoint serves at once; more are throttled, and Meta sees an error. It also bounds what
   * requests that nobody can authenticate cost: each concurrent execution spends at most 5 KMS Decrypts a second, so
   * at the default at most 100 a second, a fifth of KMS's RSA request quota (500 a second per account and Region).
   * Lambda keeps 100 of the account's concurrency unreserved: an account whose concurrency limit is below 100 plus
   * this (new accounts may start with 10) cannot deploy it; raise the limit in Service Quotas.
   *
   * @default 20
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * The most KMS Decrypts one concurrent execution of the endpoint function sends in any second (SDK retries and the
   * previous key of a rotation included). A request whose Decrypt cannot go within 250 ms is answered 429. Together
   * with `reservedConcurrentExecutions` it bounds what the endpoint can spend of KMS's RSA request quota, whoever sends
   * the requests: at most `reservedConcurrentExecutions × kmsDecryptsPerSecondPerExecution` a second. Raise it only
   * for a handler that answers in well under 200 ms and traffic that needs it.
   *
   * @default 5
   */
  readonly kmsDecryptsPerSecondPerExecution?: number;

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

  /**
   * The memory of the endpoint function, in MiB (128 to 10240). Lambda gives a function CPU in proportion to its
   * memory: the KMS call, the decryption and the answer guard are quicker with more, and a cold start is shorter.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * The instruction set of the endpoint function. Its code is JavaScript, so either runs it; ARM_64 costs less per
   * millisecond.
   *
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * AWS X-Ray tracing of the endpoint function. `ACTIVE` traces each request (Function URL, KMS, the handler's
   * invocation) and gives the function's role `xray:PutTraceSegments` and `xray:PutTelemetryRecords`. Traces carry
   * no request content.
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;

  /**
   * The log group the endpoint function writes to. The function is given `logs:CreateLogStream` and `logs:PutLogEvents`
   * on it. The endpoint logs no request content, flow tokens or keys.
   *
   * @default - a new log group that keeps logs for a month and is deleted with the stack
   */
  readonly logGroup?: logs.ILogGroup;
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

  /**
   * Done when the key is registered as the business public key of every phone number: depend on it
   * (`node.addDependency(endpoint.keyRegistered)`) for anything that makes Meta call the endpoint, such as a Flow
   * published elsewhere. A `WhatsAppFlow` with this `endpoint` depends on it already.
   */
  public readonly keyRegistered: IDependable;

  private readonly keyRegistration: CustomResource;

  private readonly checksSignatures: boolean;
  private readonly checksFlowTokenSignatures: boolean;
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
    this.configureKeyPolicy(this.key, role, 'key');
    if (props.previousKey) this.configureKeyPolicy(props.previousKey, role, 'previousKey');
    this.claimPhoneNumbers(props.phoneNumberIds ?? []);
    this.checksSignatures = props.appSecret !== undefined;
    this.checksFlowTokenSignatures = props.verifyFlowTokenSignature === true;
    if (!props.appSecret) {
      this.warnUnsigned(props.reservedConcurrentExecutions ?? ENDPOINT_DEFAULT_RESERVED_CONCURRENCY,
        props.kmsDecryptsPerSecondPerExecution ?? KMS_DECRYPTS_PER_SECOND_PER_SANDBOX);
    }

    const logGroup = props.logGroup ?? new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const environment: Record<string, string> = {
      [EndpointEnv.KMS_KEY_ID]: this.key.keyArn,
      [EndpointEnv.HANDLER_FUNCTION]: props.handler.functionArn,
    };
    if (props.previousKey) environment[EndpointEnv.PREVIOUS_KMS_KEY_ID] = props.previousKey.keyArn;
    if (props.appSecret) environment[EndpointEnv.APP_SECRET_ARN] = props.appSecret.secretArn;
    if (props.appSecretField !== undefined) environment[EndpointEnv.APP_SECRET_FIELD] = props.appSecretField;
    if (props.verifyFlowTokenSignature) environment[EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE] = 'true';
    if (props.errorMessage !== undefined) environment[EndpointEnv.ERROR_MESSAGE] = props.errorMessage;
    if (props.kmsDecryptsPerSecondPerExecution !== undefined) {
      environment[EndpointEnv.KMS_DECRYPTS_PER_SECOND] = Tokenization.stringifyNumber(props.kmsDecryptsPerSecondPerExecution);
    }
    const fn = new EndpointFunction(this, 'Function', {
      description: 'cdk-whatsapp-flows: the encrypted data-exchange endpoint of WhatsApp Flows',
      timeout: ENDPOINT_TIMEOUT,
      memorySize: props.memorySize ?? ENDPOINT_DEFAULT_MEMORY_SIZE,
      architecture: props.architecture,
      tracing: props.tracing,
      role,
      logGroup,
      environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? ENDPOINT_DEFAULT_RESERVED_CONCURRENCY,
    });
    logGroup.grantWrite(fn);
    configureEndpointMedia(this, fn, props); // mediaBucket, mediaKeyPrefix, mediaHosts (media-props.ts)
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
    const phoneNumberIds = props.phoneNumberIds ?? [];
    // No phone number fails the synth (checkProps); until then there is nothing to grant.
    if (Token.isUnresolved(phoneNumberIds) || phoneNumberIds.length > 0) {
      provider._allowKeyRegistration(phoneNumberIds.map((n) => phoneNumberArnOf(this, n)));
    }
    const properties: KeyRegistrationProperties = { KmsKeyArn: this.key.keyArn, PhoneNumberIds: phoneNumberIds.map(phoneNumberIdOf) };
    this.keyRegistration = new CustomResource(this, 'KeyRegistration', {
      serviceToken: provider.serviceToken,
      resourceType: KEY_REGISTRATION_RESOURCE_TYPE,
      properties: properties as unknown as Record<string, unknown>,
      serviceTimeout: Duration.minutes(10),
    });
    // Meta may check the key as soon as it is registered: the key policy must let the service read it first. And
    // Meta encrypts with the new key as soon as it is registered: the function that decrypts with it (and, during a
    // rotation, still with the previous key) must be deployed first.
    this.keyRegistration.node.addDependency(this.key, fn);
    this.keyRegistered = new DependencyGroup(this.keyRegistration);
  }

  /**
   * Called by a WhatsAppFlow that uses this endpoint: the Flow is created (and published) after the Function URL
   * answers and the key is registered, since publishing makes Meta call the endpoint's health check at once.
   * "Answers" means the function, its URL and both of the URL's public invoke permissions: without them the health
   * check would get a 403.
   */
  public bind(scope: Construct): FlowEndpointConfig {
    this.answerContracts?.register(scope);
    return {
      url: this.url,
      dependsOn: [this.endpointFunction, this.functionUrl, this.keyRegistration],
      source: this.node.path,
      verifiesSignatures: this.checksSignatures,
      verifiesFlowTokenSignatures: this.checksFlowTokenSignatures,
    };
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
   * PhotoPicker/DocumentPicker files that were not stored in `mediaBucket` (a check failed, too large, too many, a host
   * that is not allowed, the download or S3 failed, or no time was left); the handler got `{fileName, mediaId, error}`
   * for each. Unless `props` say otherwise, the sum over 5 minutes.
   */
  public metricMediaRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(EndpointMetric.MEDIA_REJECTED, props);
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

  /**
   * The key policy of a key this endpoint decrypts with. A key is shared on purpose by the endpoints of one phone
   * number (Meta holds one business public key per number), so its statements are made once per key and name every
   * endpoint role that uses it: one Allow of Decrypt, one Deny of Decrypt and ReEncrypt to every other principal.
   */
  private configureKeyPolicy(key: kms.IKey, role: iam.Role, purpose: string): void {
    if (key instanceof kms.Key && Stack.of(key) !== Stack.of(this)) {
      // The key policy would name the role of this stack, and this stack names the key: a cycle between the stacks.
      const message = `WhatsAppFlowEndpoint ${this.node.path}: its ${purpose} ${key.node.path} belongs to another stack, whose key policy `
        + 'would have to name this endpoint\'s role while this stack uses the key: the two stacks would depend on each other. '
        + 'Declare the endpoint in the key\'s stack, or pass the key by ARN (kms.Key.fromKeyArn) and give its policy the statements '
        + 'of the README\'s "An imported key".';
      this.node.addValidation({ validate: () => [message] });
      return;
    }
    let policy = keyPolicies.get(key);
    if (!policy) {
      const roles: iam.IRole[] = [];
      const readable = key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'SocialMessagingReadsThePublicKey',
        principals: [new iam.ServicePrincipal(SOCIAL_MESSAGING_PRINCIPAL)],
        actions: ['kms:GetPublicKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
      let decrypts: iam.PolicyStatement | undefined;
      if (readable.statementAdded) {
        decrypts = new iam.PolicyStatement({
          sid: 'TheEndpointsDecrypt',
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } },
        });
        key.addToResourcePolicy(decrypts);
        // The account's administrators keep the key (CDK's default statement), but none of them may decrypt with it,
        // directly or by re-encrypting Meta's ciphertext under a key of their own.
        key.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'NobodyElseDecrypts',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...DENIED_KEY_ACTIONS],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => roles.map((r) => r.roleArn) }) } },
        }));
      }
      policy = { roles, decrypts };
      keyPolicies.set(key, policy);
    }
    policy.roles.push(role);
    if (policy.decrypts) {
      policy.decrypts.addPrincipals(role);
      return;
    }
    // An imported key: its policy cannot be changed here, so the role is given Decrypt by its own policy.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    Annotations.of(this).addWarningV2('cdk-whatsapp-flows:IMPORTED_ENDPOINT_KEY',
      `The key policy of ${key.keyArn} (${purpose}) cannot be changed by this app: it must let ${SOCIAL_MESSAGING_PRINCIPAL} call `
      + 'kms:GetPublicKey (for this account) and this endpoint\'s role call kms:Decrypt, or the key registration fails; '
      + 'the README\'s "An imported key" lists the statements.');
  }

  /**
   * A phone number has one business public key: a number registered with two different keys in one app would
   * flip between them on every deploy. Endpoints that share a key may serve the same number: each registers it, and
   * putting the same key again changes nothing.
   */
  private claimPhoneNumbers(idsOrArns: string[]): void {
    if (Token.isUnresolved(idsOrArns)) return;
    for (const idOrArn of idsOrArns) {
      const unresolved = Token.isUnresolved(idOrArn);
      // The same token means the same value only within one stack.
      const scope = unresolved ? Stack.of(this) : this.node.root;
      const claims = claimedNumbers.get(scope) ?? new Map<string, { keyArn: string; path: string }>();
      claimedNumbers.set(scope, claims);
      const number = phoneNumberIdOf(idOrArn);
      const other = claims.get(number);
      if (!other) {
        claims.set(number, { keyArn: this.key.keyArn, path: this.node.path });
      } else if (other.keyArn !== this.key.keyArn) {
        const message = `WhatsAppFlowEndpoint ${this.node.path}: phone number ${idOrArn} is also served by ${other.path} with another key. `
          + 'A phone number has one business public key, so the two would replace each other\'s key on every deploy and one '
          + 'of them could not decrypt: give both endpoints the same `key`, or take the number out of one of them.';
        this.node.addValidation({ validate: () => [message] });
      }
    }
  }

  /** Without the app secret, anyone with the public key can make requests that the endpoint cannot tell from Meta's. */
  private warnUnsigned(concurrency: number, rate: number): void {
    const bound = Token.isUnresolved(concurrency) || Token.isUnresolved(rate)
      ? 'reservedConcurrentExecutions × kmsDecryptsPerSecondPerExecution a second'
      : `${concurrency} × ${rate} = ${concurrency * rate} a second, reservedConcurrentExecutions × kmsDecryptsPerSecondPerExecution`;
    Annotations.of(this).addWarningV2('cdk-whatsapp-flows:ENDPOINT_SIGNATURES_UNCHECKED',
      'The endpoint has no appSecret, so it cannot tell Meta\'s requests from anyone else\'s: its URL is public and so is the '
      + 'business public key, and anyone who has both can send well-formed encrypted requests that reach your handler '
      + `with data of their choosing and spend a KMS Decrypt each (at most ${bound}). To close this, store the Meta app's secret `
      + 'in Secrets Manager, pass it as appSecret, and give each WhatsAppFlow that uses the endpoint the app\'s metaAppId.');
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

  /**
   * Every problem with the props at once, each naming this construct, reported by the synth's validation (so that one
   * `cdk synth` lists the problems of every construct). Tokens are checked at deploy time.
   */
  private checkProps(props: WhatsAppFlowEndpointProps): void {
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems.map((p) => `WhatsAppFlowEndpoint ${this.node.path}: ${p}`) });
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
    const field = props.appSecretField;
    if (field !== undefined && !props.appSecret) {
      problems.push('appSecretField needs appSecret: it names a field of the secret\'s JSON value');
    }
    if (field !== undefined && !Token.isUnresolved(field) && field.trim() === '') {
      problems.push('appSecretField must not be blank: leave it out when the secret\'s plain-text value is the app secret');
    }
    if (props.previousKey && props.previousKey === props.key) {
      problems.push('previousKey is the same key as key: pass the key Meta may still encrypt with during a rotation, or leave it out');
    }
    const message = props.errorMessage;
    if (message !== undefined && !Token.isUnresolved(message) && (message.trim() === '' || message.length > MAX_ERROR_MESSAGE_LENGTH)) {
      problems.push(`errorMessage must be 1 to ${MAX_ERROR_MESSAGE_LENGTH} characters long`);
    }
    const concurrency = props.reservedConcurrentExecutions;
    if (concurrency !== undefined && !Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1)) {
      problems.push(`reservedConcurrentExecutions must be a whole number of at least 1, not ${concurrency}`);
    }
    const rate = props.kmsDecryptsPerSecondPerExecution;
    if (rate !== undefined && !Token.isUnresolved(rate) && (!Number.isInteger(rate) || rate < 1)) {
      problems.push(`kmsDecryptsPerSecondPerExecution must be a whole number of at least 1, not ${rate}`);
    }
    const memory = props.memorySize;
    if (memory !== undefined && !Token.isUnresolved(memory) && (!Number.isInteger(memory) || memory < 128 || memory > 10240)) {
      problems.push(`memorySize must be a whole number of MiB from 128 to 10240, not ${memory}`);
    }
  }
}
