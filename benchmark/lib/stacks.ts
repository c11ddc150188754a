/**
 * Stacks of N WhatsApp Flows, built two ways: with the WhatsAppFlow construct, and with what a user would
 * otherwise write (one AwsCustomResource per Flow calling CreateWhatsAppFlow with the Flow JSON inline).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { FlowCategory, FlowJson, WhatsAppFlow } from '../../src';

export const WABA_ID = 'waba-0123456789abcdef0123456789abcdef';
export const WABA_ARN = 'arn:aws:social-messaging:us-east-1:111111111111:waba/0123456789abcdef0123456789abcdef';
export const EXAMPLE_FLOW_JSON = path.join(__dirname, '..', '..', 'examples', 'flows', 'customer-feedback.json');

export type StackKind = 'WhatsAppFlow' | 'AwsCustomResource';

/**
 * `count` Flow JSON files, each the example Flow with its own first-screen title, as real Flows differ.
 * Both kinds of stack read the same files.
 */
export function writeFlowJsonFiles(count: number): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-json-'));
  const example = JSON.parse(fs.readFileSync(EXAMPLE_FLOW_JSON, 'utf-8'));
  return Array.from({ length: count }, (_, i) => {
    example.screens[0].title = `Feedback ${i + 1}`;
    const file = path.join(dir, `flow-${i + 1}.json`);
    fs.writeFileSync(file, JSON.stringify(example, undefined, 2));
    return file;
  });
}

/** Adds one Flow per file to `stack`, in the given way. */
export function addFlows(stack: Stack, kind: StackKind, files: string[]): void {
  files.forEach((file, i) => {
    const flowName = `customer_feedback_${i + 1}`;
    if (kind === 'WhatsAppFlow') {
      new WhatsAppFlow(stack, `Flow${i + 1}`, {
        whatsAppBusinessAccountId: WABA_ID,
        flowName,
        categories: [FlowCategory.SURVEY],
        flowJson: FlowJson.fromFile(file),
      });
    } else {
      new AwsCustomResource(stack, `Flow${i + 1}`, {
        onCreate: {
          service: 'SocialMessaging',
          action: 'CreateWhatsAppFlow',
          parameters: { id: WABA_ID, flowName, categories: ['SURVEY'], flowJson: fs.readFileSync(file, 'utf-8') },
          physicalResourceId: PhysicalResourceId.fromResponse('flowId'),
        },
        policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [WABA_ARN] }),
        // The Lambda runtime's SDK predates the Flow APIs.
        installLatestAwsSdk: true,
      });
    }
  });
}

export interface SynthResult {
  /** Wall time of building the app and `app.synth()`. */
  readonly ms: number;
  /** Size of the template file written to the cloud assembly. */
  readonly templateBytes: number;
  readonly lambdaFunctions: number;
  readonly resources: number;
  /** Inline and managed IAM policies: per-Flow grants make these grow. */
  readonly iamPolicies: number;
  readonly template: { Resources: Record<string, { Type: string; Properties?: any }> };
}

/**
 * Builds and synthesizes one stack of `files.length` Flows, and measures it. Into a fresh directory, as in CI,
 * or into `outdir` when given, where an earlier synth may have staged the assets already, as in a repeated `cdk synth`.
 */
export function synthFlowStack(kind: StackKind, files: string[], reusedOutdir?: string): SynthResult {
  const outdir = reusedOutdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flow-synth-'));
  try {
    const start = process.hrtime.bigint();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Flows', { env: { account: '111111111111', region: 'us-east-1' } });
    addFlows(stack, kind, files);
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;

    const artifact = assembly.getStackByName(stack.stackName);
    const template = artifact.template;
    const types = Object.values(template.Resources as SynthResult['template']['Resources']).map((r) => r.Type);
    return {
      ms,
      templateBytes: fs.statSync(artifact.templateFullPath).size,
      lambdaFunctions: types.filter((t) => t === 'AWS::Lambda::Function').length,
      resources: types.length,
      iamPolicies: types.filter((t) => t === 'AWS::IAM::Policy' || t === 'AWS::IAM::ManagedPolicy').length,
      template,
    };
  } finally {
    if (!reusedOutdir) fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Template bytes added by each Flow past the first. */
export function growthPerFlow(one: SynthResult, many: SynthResult, flows: number): number {
  return (many.templateBytes - one.templateBytes) / (flows - 1);
}

/** The median of a few numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
