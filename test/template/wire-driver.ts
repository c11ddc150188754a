import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { FlowButton, FlowCategory, FlowJson, TemplateCategory, WhatsAppFlow, WhatsAppMessageTemplate } from '../../src';
import { TEMPLATE_RESOURCE_TYPE } from '../../src/template/contract';
import { ACCOUNT, cfnString, DeclaredFlow, FlowVariant, REGION, WABA } from '../wire/driver';

/** The survey Flow of the example app: screens RECOMMEND (the entry) and RATE. */
export const FEEDBACK_JSON_FILE = path.join(__dirname, '..', '..', 'examples', 'flows', 'customer-feedback.json');
export const FEEDBACK_FLOW: FlowVariant = {
  flowName: 'customer_feedback',
  categories: [FlowCategory.SURVEY],
  json: fs.readFileSync(FEEDBACK_JSON_FILE, 'utf8'),
  publish: true,
};

/** Stands for the Flow's id until the Flow is deployed: CloudFormation resolves the Ref then. */
const FLOW_ID_PLACEHOLDER = '${FlowId}';

/** The props of one template next to the survey Flow, as a user would write them. */
export interface TemplateVariant {
  readonly templateName?: string;
  readonly language?: string;
  readonly category?: TemplateCategory;
  readonly body?: string;
  readonly bodyExamples?: string[];
  readonly header?: string;
  readonly footer?: string;
  readonly buttonText?: string;
  readonly screen?: string;
  readonly removalPolicy?: RemovalPolicy;
}

export const BASE_TEMPLATE: Required<Omit<TemplateVariant, 'removalPolicy'>> = {
  templateName: 'feedback_request',
  language: 'en_US',
  category: TemplateCategory.MARKETING,
  body: 'Thanks for your order {{1}}! Tell us how it went. BODY-CONTENT-MARKER',
  bodyExamples: ['#1234'],
  header: 'We value your feedback',
  footer: 'Takes one minute',
  buttonText: 'Give feedback',
  screen: 'RECOMMEND',
};

/**
 * Synthesizes each variant as a template next to the survey Flow in an app of its own, and returns the template
 * resource as CloudFormation would hand it to the handler, its FlowId still to be resolved (`opening`).
 */
export function synthesizeTemplates<K extends string>(
  variants: Record<K, TemplateVariant>,
  flowJsonFile = FEEDBACK_JSON_FILE,
): Record<K, DeclaredFlow> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'template-synth-'));
  const out = {} as Record<K, DeclaredFlow>;
  for (const [name, variant] of Object.entries(variants) as Array<[K, TemplateVariant]>) {
    const app = new App({ outdir: path.join(tmp, name) });
    const stack = new Stack(app, 'WireStack', { env: { account: ACCOUNT, region: REGION } });
    const flow = new WhatsAppFlow(stack, 'Flow', {
      whatsAppBusinessAccountId: WABA,
      flowName: FEEDBACK_FLOW.flowName,
      categories: FEEDBACK_FLOW.categories,
      flowJson: FlowJson.fromFile(flowJsonFile),
      publish: true,
    });
    const v = { ...BASE_TEMPLATE, ...variant };
    new WhatsAppMessageTemplate(stack, 'Template', {
      templateName: v.templateName,
      language: v.language,
      category: v.category,
      body: v.body,
      bodyExamples: v.bodyExamples,
      header: v.header,
      footer: v.footer,
      removalPolicy: variant.removalPolicy,
      flowButton: FlowButton.navigate(flow, { text: v.buttonText, screen: v.screen }),
    });
    const template = app.synth().getStackByName(stack.stackName).template;
    const [resource] = Object.values<any>(template.Resources).filter((r) => r.Type === TEMPLATE_RESOURCE_TYPE);
    const properties = cfnString(resolve(resource.Properties)) as Record<string, unknown>;
    out[name] = {
      name,
      variant: FEEDBACK_FLOW,
      properties,
      resourceType: TEMPLATE_RESOURCE_TYPE,
      deletionPolicy: resource.DeletionPolicy,
      updateReplacePolicy: resource.UpdateReplacePolicy,
    };
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** The template with CloudFormation's value of the Flow's Ref: the id of the Flow deployed before it. */
export function opening(template: DeclaredFlow, flowId: string): DeclaredFlow {
  const properties = { ...template.properties };
  if (properties.FlowId === FLOW_ID_PLACEHOLDER) properties.FlowId = flowId;
  return { ...template, properties };
}

/** The intrinsics a template resource holds: the service token (GetAtt) and the Flow's id (Ref). */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) return FLOW_ID_PLACEHOLDER;
    if ('Fn::GetAtt' in obj) return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:WireStack-${(obj['Fn::GetAtt'] as string[])[0]}`;
    if (Object.keys(obj).some((k) => k.startsWith('Fn::'))) throw new Error(`unsupported intrinsic ${Object.keys(obj)[0]}`);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}
