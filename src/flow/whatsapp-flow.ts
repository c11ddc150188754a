import { Annotations, CustomResource, Fn, IResource, Lazy, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { FLOW_RESOURCE_TYPE, FlowAttribute, FlowResourceProperties } from './contract';
import { FlowCategory } from './flow-category';
import { FlowEndpointConfig, IFlowEndpoint } from './flow-endpoint';
import { FlowJson, FlowJsonConfig } from './flow-json';
import { isUnavailable } from './unavailable-flow-json';
import { isWabaArn, isWabaIdOrArn, wabaIdOf } from '../provider/waba';
import { waitingServiceTimeout, WhatsAppFlowProvider } from '../provider/whatsapp-flow-provider';
import { FlowJsonValidator } from '../validator';
import { flowJsonNeedsEndpoint } from '../validator/dynamic';
import { formatProblem } from '../validator/format';

const MAX_FLOW_NAME_LENGTH = 200;

/** What Meta refuses whatever the rules: checked even when validation is turned off. */
const HARD_LIMIT_CODES = ['INVALID_JSON', 'FLOW_TOO_LARGE'];

/**
 * The Flows declared so far, per app (or per stack where a name or WABA is a token), by WABA and name: names are
 * unique in a WABA, so two such Flows would fight over one Flow at deploy time.
 */
const declaredNames = new WeakMap<IConstruct, Map<string, string>>();

/** A WhatsApp Flow, made by this app or elsewhere. */
export interface IWhatsAppFlow extends IResource {
  /**
   * Meta's id of the Flow: the id to send in a Flow message.
   *
   * @attribute
   */
  readonly flowId: string;

  /** The id (`waba-…`) or ARN of the WhatsApp Business Account the Flow belongs to. */
  readonly whatsAppBusinessAccountId: string;

  /** The ARN of the WhatsApp Business Account the Flow belongs to. */
  readonly whatsAppBusinessAccountArn: string;

  /**
   * Grants `grantee` the given social-messaging actions on the Flow's WhatsApp Business Account.
   *
   * Flows are not IAM resources of their own: the account is the finest resource a grant can name.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants `grantee` permission to read the Flow, its preview URL and its assets. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** What identifies a Flow made elsewhere. */
export interface WhatsAppFlowAttributes {
  /** The id (`waba-…`) or ARN of the WhatsApp Business Account the Flow belongs to. */
  readonly whatsAppBusinessAccountId: string;
  /** Meta's id of the Flow. */
  readonly flowId: string;
}

/** Properties of a WhatsApp Flow. */
export interface WhatsAppFlowProps {
  /**
   * The WhatsApp Business Account that owns the Flow: the id of the linked account (`waba-…`) or its ARN.
   * Changing it replaces the Flow: a new Flow is made in the new account and the old one is retired.
   * A token must resolve to a `waba-…` id.
   */
  readonly whatsAppBusinessAccountId: string;

  /** The Flow's name, 1 to 200 characters, unique within the WhatsApp Business Account. */
  readonly flowName: string;

  /** What the Flow is for: 1 to 9 distinct categories. */
  readonly categories: FlowCategory[];

  /**
   * The Flow JSON: its screens, components and actions. A change to its content updates the Flow.
   *
   * @default - no Flow JSON: the Flow is created empty, or from `cloneFlowId`
   */
  readonly flowJson?: FlowJson;

  /**
   * Publish the Flow, so that it can be sent to customers. Publishing cannot be undone: a published Flow can
   * only be deprecated. When a deploy changes the Flow JSON of a published Flow, the Flow is published again.
   *
   * @default false
   */
  readonly publish?: boolean;

  /**
   * Create the Flow as a clone of this existing Flow of the same WhatsApp Business Account.
   * It is read when the Flow is created only.
   *
   * @default - not a clone
   */
  readonly cloneFlowId?: string;

  /**
   * What happens to the Flow when it leaves the stack. `DESTROY` deletes a draft and deprecates a published
   * Flow; `RETAIN` leaves it untouched. It becomes the resource's CloudFormation DeletionPolicy and
   * UpdateReplacePolicy, as `applyRemovalPolicy()` does.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Take over a Flow of the same name that already exists in the WhatsApp Business Account, made in WhatsApp
   * Manager or by another stack, instead of failing the deploy.
   *
   * Without it, a taken name fails the Create and names the existing Flow; nothing is changed. With it, the
   * existing Flow becomes this stack's: its categories and Flow JSON are overwritten with the declared ones, it is
   * published when `publish` is true, and when it leaves the stack it is deleted or deprecated like any Flow the
   * stack made (set `removalPolicy: RETAIN` to keep it). Only take over a Flow that no other stack manages. It is
   * read when the Flow is created only.
   *
   * @default false
   */
  readonly adoptExistingFlow?: boolean;

  /**
   * The data-exchange endpoint of a dynamic Flow: `FlowEndpoint.fromUrl('https://…')` or a `WhatsAppFlowEndpoint`.
   * Flow JSON that talks to an endpoint (`data_api_version`, `data_exchange` actions) needs one. The Flow is
   * created after the endpoint, since publishing makes Meta call its health check at once. A changed endpoint
   * updates the Flow's `endpointUri`; on a published Flow Meta uses it from then on, so the new endpoint must
   * already answer (CloudFormation makes it first). An endpoint cannot be removed from a Flow once set.
   *
   * @default - a static Flow, with no endpoint
   */
  readonly endpoint?: IFlowEndpoint;

  /**
   * The id of the Meta app to attach to the Flow: the app whose business public key and webhooks the endpoint
   * uses. Attaching an app cannot be undone: a Flow keeps its app, and another app needs a new Flow.
   *
   * @default - no app is attached
   */
  readonly metaAppId?: string;

  /**
   * Validate the Flow JSON at synth time against the rules of its Flow JSON version: errors fail the synth and
   * list every problem, warnings are shown. This is an escape hatch: set it to `false` only when the validator
   * rejects a Flow JSON that Meta accepts, and leave the checks to Meta at deploy time. The JSON must still parse
   * and be at most 10 MB.
   *
   * @default true
   */
  readonly validateFlowJson?: boolean;
}

/** The WhatsApp Business Account's ARN, from its id or its ARN. */
function wabaArnOf(scope: Construct, idOrArn: string): string {
  if (!Token.isUnresolved(idOrArn) && isWabaArn(idOrArn)) return idOrArn;
  // The ARN names the account without the id's `waba-` prefix.
  const resourceName = Token.isUnresolved(idOrArn)
    ? Fn.select(1, Fn.split('waba-', idOrArn))
    : idOrArn.replace(/^waba-/, '');
  return Stack.of(scope).formatArn({ service: 'social-messaging', resource: 'waba', resourceName });
}

abstract class WhatsAppFlowBase extends Resource implements IWhatsAppFlow {
  public abstract readonly flowId: string;
  public abstract readonly whatsAppBusinessAccountId: string;
  public abstract readonly whatsAppBusinessAccountArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.whatsAppBusinessAccountArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee,
      'social-messaging:GetWhatsAppFlow',
      'social-messaging:GetWhatsAppFlowPreview',
      'social-messaging:ListWhatsAppFlowAssets');
  }
}

/**
 * A WhatsApp Flow, deployed through AWS End User Messaging Social.
 *
 * `cdk deploy` creates the Flow with its Flow JSON, updates it when its properties or its Flow JSON change,
 * publishes it when asked, and when it leaves the stack deletes it (a draft) or deprecates it (a published Flow).
 *
 * @resource Custom::WhatsAppFlow
 * @see https://docs.aws.amazon.com/social-messaging/latest/userguide/whatsapp-flows.html
 */
export class WhatsAppFlow extends WhatsAppFlowBase {
  /** A Flow made elsewhere, to grant access to or to pass around by id. */
  public static fromFlowAttributes(scope: Construct, id: string, attrs: WhatsAppFlowAttributes): IWhatsAppFlow {
    class Import extends WhatsAppFlowBase {
      public readonly flowId = attrs.flowId;
      public readonly whatsAppBusinessAccountId = attrs.whatsAppBusinessAccountId;
      public readonly whatsAppBusinessAccountArn = wabaArnOf(scope, attrs.whatsAppBusinessAccountId);
    }
    return new Import(scope, id);
  }

  public readonly flowId: string;
  public readonly whatsAppBusinessAccountId: string;
  public readonly whatsAppBusinessAccountArn: string;

  /**
   * The Flow's status after the deploy: DRAFT, PUBLISHED, DEPRECATED, BLOCKED or THROTTLED.
   *
   * @attribute
   */
  public readonly flowStatus: string;


  /**
   * What a message template checks its FLOW button against at synth time: the Flow JSON and the publish flag.
   *
   * @internal
   */
  public readonly _declared: { readonly flowJson?: { readonly text: string; readonly source: string }; readonly publish: boolean };

  private readonly resource: CustomResource;
  /** What is wrong with the props, each a sentence: reported by the synth's validation. */
  private readonly problems: string[] = [];
  /** Whether the stack uses `previewUrl`. */
  private previewUrlUsed = false;

  constructor(scope: Construct, id: string, props: WhatsAppFlowProps) {
    super(scope, id);
    // Every problem is reported by `cdk synth` at once, for every construct of the app, with its path.
    this.node.addValidation({ validate: () => this.problems.map((p) => `WhatsAppFlow ${this.node.path}: ${p}`) });
    this.checkProps(props);
    this.claimName(props.whatsAppBusinessAccountId, props.flowName);

    this.whatsAppBusinessAccountId = props.whatsAppBusinessAccountId;
    this.whatsAppBusinessAccountArn = wabaArnOf(this, props.whatsAppBusinessAccountId);

    const provider = WhatsAppFlowProvider.getOrCreate(this);
    provider._allowFlowManagement(this.whatsAppBusinessAccountArn);
    const flowJson = props.flowJson && this.loadFlowJson(props.flowJson, provider, props.validateFlowJson ?? true);
    const endpoint = props.endpoint?.bind(this);
    if (flowJson) this.checkEndpoint(flowJson, endpoint);
    if (endpoint?.verifiesSignatures) this.checkMetaApp(endpoint, props);
    this._declared = { flowJson: flowJson && { text: flowJson.text, source: flowJson.source }, publish: props.publish ?? false };

    const properties: FlowResourceProperties = {
      WhatsAppBusinessAccountId: props.whatsAppBusinessAccountId,
      FlowName: props.flowName,
      Categories: props.categories,
      FlowJsonBucket: flowJson?.bucket.bucketName,
      FlowJsonKey: flowJson?.objectKey,
      Publish: props.publish ? 'true' : 'false',
      CloneFlowId: props.cloneFlowId,
      AdoptExistingFlow: props.adoptExistingFlow ? 'true' : undefined,
      EndpointUri: endpoint?.url,
      MetaAppId: props.metaAppId,
      // A Create reads the Flow for its preview URL only when the stack uses the attribute.
      ReadPreviewUrl: Lazy.string({ produce: () => (this.previewUrlUsed ? 'true' : undefined) }) as 'true' | undefined,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: FLOW_RESOURCE_TYPE,
      properties: properties as unknown as Record<string, unknown>,
      // A stuck deploy fails after this long instead of CloudFormation's one hour; it covers the wait for Meta's
      // rate limit.
      serviceTimeout: waitingServiceTimeout(this),
    });
    this.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    // Publishing a dynamic Flow makes Meta call the endpoint at once: it must exist, its key registered, first.
    for (const dependency of endpoint?.dependsOn ?? []) this.resource.node.addDependency(dependency);

    this.flowId = this.resource.ref;
    this.flowStatus = this.resource.getAttString(FlowAttribute.FLOW_STATUS);
  }

  /**
   * A web URL that previews the Flow, to share with reviewers. Meta lets it expire.
   *
   * Using it costs a read when the Flow is created (GetWhatsAppFlow): a stack that never uses it saves one Flow API
   * call per Flow on its first deploy. An Update reads the Flow anyway.
   *
   * @attribute
   */
  public get previewUrl(): string {
    this.previewUrlUsed = true;
    return this.resource.getAttString(FlowAttribute.PREVIEW_URL);
  }

  /**
   * Sets what happens to the Flow when it leaves the stack: `DESTROY` deletes a draft and deprecates a published
   * Flow, `RETAIN` leaves it untouched. It is the resource's CloudFormation DeletionPolicy and UpdateReplacePolicy.
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    if (policy === RemovalPolicy.SNAPSHOT) {
      this.problems.push('removal policy SNAPSHOT is not supported: use DESTROY or RETAIN');
      return;
    }
    this.resource.applyRemovalPolicy(policy);
  }

  /** Fails the synth when another Flow of the app (or, for tokens, of the stack) has the same WABA and name. */
  private claimName(waba: string, flowName: string): void {
    const unresolved = Token.isUnresolved(waba) || Token.isUnresolved(flowName);
    // The same token means the same value only within one stack.
    const scope = unresolved ? Stack.of(this) : this.node.root;
    const names = declaredNames.get(scope) ?? new Map<string, string>();
    declaredNames.set(scope, names);
    const key = `${unresolved ? waba : wabaIdOf(waba)}\n${flowName}`;
    const other = names.get(key);
    if (other !== undefined) {
      this.problems.push(`flowName '${flowName}' in ${waba} is also declared by ${other}. `
        + 'Flow names are unique in a WhatsApp Business Account, so the two would fight over one Flow at deploy time: '
        + 'give one of them another flowName.');
      return;
    }
    names.set(key, this.node.path);
  }

  /** Every problem with the props at once. Tokens are checked at deploy time. */
  private checkProps(props: WhatsAppFlowProps): void {
    const problems = this.problems;
    const waba = props.whatsAppBusinessAccountId;
    if (!Token.isUnresolved(waba) && !isWabaIdOrArn(waba)) {
      problems.push(`whatsAppBusinessAccountId '${waba}' is neither a WABA id ('waba-' and letters or digits) nor a WABA ARN `
        + '(arn:<partition>:social-messaging:<region>:<account>:waba/<id>); find it with `aws socialmessaging list-linked-whatsapp-business-accounts`');
    }
    const name = props.flowName;
    if (!Token.isUnresolved(name) && (name.length < 1 || name.length > MAX_FLOW_NAME_LENGTH)) {
      problems.push(`flowName must be 1 to ${MAX_FLOW_NAME_LENGTH} characters long, not ${name.length}`);
    }
    const categories = props.categories ?? [];
    if (!Token.isUnresolved(categories)) {
      if (categories.length < 1 || categories.length > Object.keys(FlowCategory).length) {
        problems.push(`categories must hold 1 to 9 categories, not ${categories.length}`);
      } else if (new Set(categories).size !== categories.length) {
        problems.push(`categories must be distinct: ${categories.join(', ')}`);
      }
    }
    if (props.metaAppId !== undefined && !Token.isUnresolved(props.metaAppId) && !/^[0-9]+$/.test(props.metaAppId)) {
      problems.push(`metaAppId '${props.metaAppId}' is not a Meta app id (digits only): find it in the app's settings in Meta for Developers`);
    }
    if (props.publish && !props.flowJson && !props.cloneFlowId) {
      problems.push('publish: true needs a flowJson (or a cloneFlowId to copy one from): Meta cannot publish an empty Flow');
    }
  }

  /** Dynamic Flow JSON needs an endpoint; static Flow JSON has no use for one. */
  private checkEndpoint(flowJson: FlowJsonConfig, endpoint: FlowEndpointConfig | undefined): void {
    const hasEndpoint = endpoint !== undefined;
    let document: unknown;
    try {
      document = JSON.parse(flowJson.text.replace(/^\uFEFF/, ''));
    } catch {
      return;
    }
    const dataApiVersion = (document as { data_api_version?: unknown } | null)?.data_api_version;
    if (endpoint?.verifiesFlowTokenSignatures && dataApiVersion === '3.0') {
      Annotations.of(this).addWarningV2('cdk-whatsapp-flows:FLOW_TOKEN_SIGNATURE_UNUSED',
        `Flow JSON ${flowJson.source} uses data API 3.0, whose requests carry no flow_token_signature: the endpoint `
        + `${endpoint.source ?? endpoint.url} verifies it on data API 4.0 only, so verifyFlowTokenSignature checks nothing for this Flow. `
        + 'Set "data_api_version": "4.0" in the Flow JSON to have it checked.');
    }
    const dynamic = flowJsonNeedsEndpoint(document);
    if (dynamic && !hasEndpoint) {
      this.problems.push(`Flow JSON ${flowJson.source} talks to an endpoint (data_api_version or `
        + 'data_exchange actions), and the Flow has none: add `endpoint: FlowEndpoint.fromUrl(\'https://…\')` or a WhatsAppFlowEndpoint.');
    }
    if (!dynamic && hasEndpoint) {
      Annotations.of(this).addWarningV2('cdk-whatsapp-flows:ENDPOINT_UNUSED',
        `Flow JSON ${flowJson.source} never talks to an endpoint (no data_api_version, no data_exchange action): the endpoint is not used`);
    }
  }

  /**
   * An endpoint that verifies Meta's signatures needs the Flow to have a Meta app: Meta signs a Flow's requests with
   * the secret of the app attached to it. Without one, every request would be refused with 432.
   */
  private checkMetaApp(endpoint: FlowEndpointConfig, props: WhatsAppFlowProps): void {
    if (props.metaAppId !== undefined) return;
    const source = endpoint.source ?? endpoint.url;
    if (props.adoptExistingFlow) {
      // A Flow made outside the app may have its app attached already (in WhatsApp Manager or by the API).
      Annotations.of(this).addWarningV2('cdk-whatsapp-flows:FLOW_META_APP_UNDECLARED',
        `The endpoint ${source} verifies Meta's request signatures with an app secret, and this adopted Flow declares no metaAppId: `
        + 'unless the Flow already has that Meta app attached, every request is answered 432. Declare it with metaAppId.');
      return;
    }
    const message = `WhatsAppFlow ${this.node.path} uses the endpoint ${source}, which verifies Meta's request signatures with `
      + 'an app secret, but has no metaAppId: Meta signs a Flow\'s requests with the secret of the Meta app attached to the '
      + 'Flow, so without it every request would be answered 432. Set metaAppId to the id of the app whose secret the '
      + 'endpoint has (Meta for Developers, the app\'s Basic settings).';
    this.node.addValidation({ validate: () => [message] });
  }

  /**
   * Binds the Flow JSON and checks it: every error fails the synth at once, warnings are annotated. Undefined when the
   * source could not be bound (a missing file): the source reports why, and the Flow is made without Flow JSON.
   */
  private loadFlowJson(flowJson: FlowJson, provider: WhatsAppFlowProvider, validate: boolean): FlowJsonConfig | undefined {
    const config = flowJson.bind(this, { grantee: provider.handler });
    if (isUnavailable(config)) return undefined;
    const result = FlowJsonValidator.validateText(config.text);
    const errors = validate ? result.errors : result.errors.filter((e) => HARD_LIMIT_CODES.includes(e.code));
    if (errors.length) {
      this.problems.push(`Flow JSON ${config.source} has ${errors.length} error(s):\n`
        + errors.map((e) => `  ${formatProblem(config.source, e)}`).join('\n')
        + '\nFix the Flow JSON and synthesize again (`npx -p cdk-whatsapp-flows whatsapp-flow validate <file>` checks it on its own).');
    }
    if (validate) {
      for (const warning of result.warnings) {
        Annotations.of(this).addWarningV2(`cdk-whatsapp-flows:${warning.code}`, formatProblem(config.source, warning));
      }
    }
    return config;
  }
}
