import { Annotations, CustomResource, Duration, Fn, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { TEMPLATE_RESOURCE_TYPE, TemplateAttribute, TemplateResourceProperties } from './contract';
import { FlowButton } from './flow-button';
import { checkFlowButton } from './flow-checks';
import { TemplateCategory } from './template-category';
import { templateProblems } from './template-checks';
import { isWabaArn, isWabaIdOrArn, wabaIdOf } from '../provider/waba';
import { WhatsAppFlowProvider } from '../provider/whatsapp-flow-provider';

/** The templates declared so far, per app (or per stack where a value is a token), by WABA, name and language. */
const declaredTemplates = new WeakMap<IConstruct, Map<string, string>>();

/** A WhatsApp message template, made by this app or elsewhere. */
export interface IWhatsAppMessageTemplate extends IResource {
  /**
   * Meta's id of the template.
   *
   * @attribute
   */
  readonly metaTemplateId: string;

  /** The template's name: with its language, what a template message names when it is sent. */
  readonly templateName: string;

  /** The template's language, such as `en_US`. */
  readonly language: string;

  /** The id (`waba-…`) or ARN of the WhatsApp Business Account the template belongs to. */
  readonly whatsAppBusinessAccountId: string;

  /** The ARN of the WhatsApp Business Account the template belongs to. */
  readonly whatsAppBusinessAccountArn: string;

  /**
   * Grants `grantee` permission to read the template (`GetWhatsAppMessageTemplate`, `ListWhatsAppMessageTemplates`).
   *
   * Templates are not IAM resources of their own: the grant names the template's WhatsApp Business Account. To send
   * the template, grant `WhatsAppPhoneNumber.grantSendMessage` on the phone number that sends it.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** What identifies a message template made elsewhere. */
export interface WhatsAppMessageTemplateAttributes {
  /** The id (`waba-…`) or ARN of the WhatsApp Business Account the template belongs to. */
  readonly whatsAppBusinessAccountId: string;

  /** The template's name. */
  readonly templateName: string;

  /** The template's language, such as `en_US`. */
  readonly language: string;

  /**
   * Meta's id of the template: `aws socialmessaging list-whatsapp-message-templates --id waba-…` lists it, and a
   * `WhatsAppMessageTemplate` of another stack exposes it as `metaTemplateId`.
   */
  readonly metaTemplateId: string;
}

abstract class WhatsAppMessageTemplateBase extends Resource implements IWhatsAppMessageTemplate {
  public abstract readonly metaTemplateId: string;
  public abstract readonly templateName: string;
  public abstract readonly language: string;
  public abstract readonly whatsAppBusinessAccountId: string;
  public abstract readonly whatsAppBusinessAccountArn: string;

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['social-messaging:GetWhatsAppMessageTemplate', 'social-messaging:ListWhatsAppMessageTemplates'],
      resourceArns: [this.whatsAppBusinessAccountArn],
    });
  }
}

/** Properties of a WhatsApp message template. */
export interface WhatsAppMessageTemplateProps {
  /**
   * The template's name: lowercase letters, digits and underscores, at most 512 characters. With the language it
   * identifies the template in its WhatsApp Business Account. Changing it replaces the template: a new one is
   * created, and the old one deleted.
   */
  readonly templateName: string;

  /**
   * The template's language: a locale Meta accepts, such as `en_US`, `en`, `pt_BR` or `de`. Changing it replaces
   * the template.
   *
   * @see https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/supported-languages
   */
  readonly language: string;

  /** What the template is for. Meta does not let the category of an approved template change. */
  readonly category: TemplateCategory;

  /**
   * The message text, 1 to 1024 characters. Variables are numbered from one without gaps, `{{1}}`, `{{2}}`, …, and
   * their values are given when the template is sent.
   */
  readonly body: string;

  /**
   * A sample value for each body variable, in order: Meta's reviewers read the message with them.
   *
   * @default - none: the body has no variables
   */
  readonly bodyExamples?: string[];

  /**
   * A text header, at most 60 characters, with at most one variable, `{{1}}`.
   *
   * @default - no header
   */
  readonly header?: string;

  /**
   * The sample value of the header's variable.
   *
   * @default - none: the header has no variable
   */
  readonly headerExample?: string;

  /**
   * Fixed text under the body, at most 60 characters, without variables.
   *
   * @default - no footer
   */
  readonly footer?: string;

  /**
   * A button that opens a WhatsApp Flow: `FlowButton.navigate(flow, { text, screen })` for a static Flow,
   * `FlowButton.dataExchange(flow, { text })` for a dynamic one. The template is created after the Flow, in the
   * Flow's WhatsApp Business Account.
   *
   * @default - no button
   */
  readonly flowButton?: FlowButton;

  /**
   * The WhatsApp Business Account of the template: the id of the linked account (`waba-…`) or its ARN. Changing it
   * replaces the template. A token must resolve to a `waba-…` id.
   *
   * @default - the WhatsApp Business Account of the Flow the `flowButton` opens; required without a `flowButton`
   */
  readonly whatsAppBusinessAccountId?: string;

  /**
   * What happens to the template when it leaves the stack: `DESTROY` deletes it (this language only), `RETAIN`
   * leaves it in the WhatsApp Business Account. It becomes the resource's CloudFormation DeletionPolicy and
   * UpdateReplacePolicy, as `applyRemovalPolicy()` does.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A WhatsApp message template, created through AWS End User Messaging Social and reviewed by Meta; with a FLOW
 * button, the way a published Flow reaches customers outside a conversation.
 *
 * The synth checks the template as Meta would (name, language, lengths, variables and their samples) and, for a
 * FLOW button, against its Flow (published, the screen exists and can be navigated to, data_exchange for a dynamic
 * Flow). `cdk deploy` creates the template and does not wait for Meta's review, which can take hours: the status is
 * an attribute. A template Meta rejects at once fails the deploy with Meta's reason.
 *
 * @resource Custom::WhatsAppMessageTemplate
 * @see https://docs.aws.amazon.com/social-messaging/latest/APIReference/API_CreateWhatsAppMessageTemplate.html
 */
export class WhatsAppMessageTemplate extends WhatsAppMessageTemplateBase {
  /**
   * A template made elsewhere (in WhatsApp Manager, another stack or a script), to pass around by name, language
   * and id, or to grant read access to. Nothing is checked or changed: the template is not managed by this stack.
   */
  public static fromTemplateAttributes(scope: Construct, id: string, attrs: WhatsAppMessageTemplateAttributes): IWhatsAppMessageTemplate {
    if (!Token.isUnresolved(attrs.whatsAppBusinessAccountId) && !isWabaIdOrArn(attrs.whatsAppBusinessAccountId)) {
      throw new Error(`WhatsAppMessageTemplate.fromTemplateAttributes ${scope.node.path}/${id}: whatsAppBusinessAccountId `
        + `'${attrs.whatsAppBusinessAccountId}' is neither a WABA id ('waba-' and letters or digits) nor a WABA ARN`);
    }
    class Import extends WhatsAppMessageTemplateBase {
      public readonly metaTemplateId = attrs.metaTemplateId;
      public readonly templateName = attrs.templateName;
      public readonly language = attrs.language;
      public readonly whatsAppBusinessAccountId = attrs.whatsAppBusinessAccountId;
      public readonly whatsAppBusinessAccountArn = wabaArnOf(scope, attrs.whatsAppBusinessAccountId);
    }
    return new Import(scope, id);
  }

  /**
   * Meta's id of the template.
   *
   * @attribute
   */
  public readonly metaTemplateId: string;

  /**
   * The template's status after the deploy: PENDING while Meta reviews it, then APPROVED or REJECTED (Meta may
   * later set PAUSED or DISABLED). It is read at deploy time only.
   *
   * @attribute
   */
  public readonly templateStatus: string;

  /** The template's name. */
  public readonly templateName: string;

  /** The template's language. */
  public readonly language: string;

  /** The id (`waba-…`) or ARN of the WhatsApp Business Account the template belongs to. */
  public readonly whatsAppBusinessAccountId: string;

  /** The ARN of the WhatsApp Business Account the template belongs to. */
  public readonly whatsAppBusinessAccountArn: string;

  private readonly resource: CustomResource;
  /** What is wrong with the props, each a sentence: reported by the synth's validation. */
  private readonly problems: string[] = [];

  constructor(scope: Construct, id: string, props: WhatsAppMessageTemplateProps) {
    super(scope, id);
    // Every problem is reported by `cdk synth` at once, for every construct of the app, with its path.
    this.node.addValidation({ validate: () => this.problems.map((p) => `WhatsAppMessageTemplate ${this.node.path}: ${p}`) });
    const button = props.flowButton;
    const waba = props.whatsAppBusinessAccountId ?? button?.flow.whatsAppBusinessAccountId;
    this.checkProps(props, waba);
    if (waba !== undefined) this.claimName(waba, props.templateName, props.language);

    this.templateName = props.templateName;
    this.language = props.language;
    // Without an account the synth fails (see checkProps); until then the template is built without the grant.
    this.whatsAppBusinessAccountId = waba ?? '';

    this.whatsAppBusinessAccountArn = waba === undefined ? ''
      : button && waba === button.flow.whatsAppBusinessAccountId ? button.flow.whatsAppBusinessAccountArn : wabaArnOf(this, waba);

    const provider = WhatsAppFlowProvider.getOrCreate(this);
    if (waba !== undefined) provider._allowTemplateManagement(this.whatsAppBusinessAccountArn);

    const properties: TemplateResourceProperties = {
      WhatsAppBusinessAccountId: this.whatsAppBusinessAccountId,
      TemplateName: props.templateName,
      Language: props.language,
      Category: props.category,
      Body: props.body,
      BodyExamples: props.bodyExamples,
      Header: props.header,
      HeaderExample: props.headerExample,
      Footer: props.footer,
      FlowId: button?.flow.flowId,
      ButtonText: button?.text,
      FlowAction: button?.action,
      NavigateScreen: button?.screen,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: TEMPLATE_RESOURCE_TYPE,
      properties: properties as unknown as Record<string, unknown>,
      serviceTimeout: Duration.minutes(10),
    });
    this.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);

    this.metaTemplateId = this.resource.ref;
    this.templateStatus = this.resource.getAttString(TemplateAttribute.TEMPLATE_STATUS);
  }

  /**
   * Sets what happens to the template when it leaves the stack: `DESTROY` deletes it, `RETAIN` leaves it. It is
   * the resource's CloudFormation DeletionPolicy and UpdateReplacePolicy.
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    if (policy === RemovalPolicy.SNAPSHOT) {
      this.problems.push('removal policy SNAPSHOT is not supported: use DESTROY or RETAIN');
      return;
    }
    this.resource.applyRemovalPolicy(policy);
  }

  /** Every problem at once. Tokens are checked at deploy time. */
  private checkProps(props: WhatsAppMessageTemplateProps, waba: string | undefined): void {
    const problems = this.problems;
    if (waba === undefined) {
      problems.push('whatsAppBusinessAccountId is required without a flowButton');
    } else if (!Token.isUnresolved(waba) && !isWabaIdOrArn(waba)) {
      problems.push(`whatsAppBusinessAccountId '${waba}' is neither a WABA id ('waba-' and letters or digits) nor a WABA ARN`);
    }
    const flowWaba = props.flowButton?.flow.whatsAppBusinessAccountId;
    if (waba !== undefined && props.whatsAppBusinessAccountId !== undefined && flowWaba !== undefined
      && !Token.isUnresolved(waba) && !Token.isUnresolved(flowWaba) && wabaIdOf(waba) !== wabaIdOf(flowWaba)) {
      problems.push(`whatsAppBusinessAccountId ${waba} is not the account of the button's Flow (${flowWaba}): a template can only `
        + 'open a Flow of its own WhatsApp Business Account; leave whatsAppBusinessAccountId out to use the Flow\'s');
    }
    problems.push(...templateProblems({
      templateName: props.templateName,
      language: props.language,
      body: props.body,
      bodyExamples: props.bodyExamples,
      header: props.header,
      headerExample: props.headerExample,
      footer: props.footer,
      buttonText: props.flowButton?.text,
    }, (value) => Token.isUnresolved(value)));
    if (props.flowButton) {
      const findings = checkFlowButton(props.flowButton);
      problems.push(...findings.errors);
      for (const warning of findings.warnings) {
        Annotations.of(this).addWarningV2('cdk-whatsapp-flows:TEMPLATE_FLOW_UNCHECKED', warning);
      }
    }
  }

  /** Fails the synth when another template of the app has the same WABA, name and language: they would fight over one. */
  private claimName(waba: string, name: string, language: string): void {
    const unresolved = [waba, name, language].some((v) => Token.isUnresolved(v));
    const scope = unresolved ? Stack.of(this) : this.node.root;
    const names = declaredTemplates.get(scope) ?? new Map<string, string>();
    declaredTemplates.set(scope, names);
    const key = `${unresolved ? waba : wabaIdOf(waba)}\n${name}\n${language}`;
    const other = names.get(key);
    if (other !== undefined) {
      this.problems.push(`template '${name}' (${language}) in ${waba} is also declared by ${other}. `
        + 'A name and language identify one template in a WhatsApp Business Account: give one of them another templateName.');
      return;
    }
    names.set(key, this.node.path);
  }
}

/** The WhatsApp Business Account's ARN, from its id or its ARN. */
function wabaArnOf(scope: Construct, idOrArn: string): string {
  if (!Token.isUnresolved(idOrArn) && isWabaArn(idOrArn)) return idOrArn;
  const resourceName = Token.isUnresolved(idOrArn) ? Fn.select(1, Fn.split('waba-', idOrArn)) : idOrArn.replace(/^waba-/, '');
  return Stack.of(scope).formatArn({ service: 'social-messaging', resource: 'waba', resourceName });
}
