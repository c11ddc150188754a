import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowEndpoint, FlowJson, WhatsAppFlow } from '../../../src';

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';
export const WABA = 'waba-0123456789abcdef0123456789abcdef';
export const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';

/** The props of one WhatsAppFlow, as a user would write them. */
export interface FlowVariant {
  /** @default WABA */
  readonly waba?: string;
  readonly flowName: string;
  readonly categories: FlowCategory[];
  /** Flow JSON text, written to a file and passed as `FlowJson.fromFile`. @default - no Flow JSON */
  readonly json?: string;
  readonly publish?: boolean;
  readonly removalPolicy?: RemovalPolicy;
  readonly adoptExistingFlow?: boolean;
  /** A dynamic Flow's endpoint URL (`FlowEndpoint.fromUrl`). @default - none */
  readonly endpointUrl?: string;
  readonly metaAppId?: string;
  /** The stack uses the `previewUrl` attribute (a CfnOutput of it). @default false */
  readonly usesPreviewUrl?: boolean;
}

/** An S3 object `cdk deploy` would have published before CloudFormation runs. */
export interface StagedAsset {
  readonly bucket: string;
  readonly key: string;
  readonly bytes: Buffer;
}

/** One `Custom::WhatsAppFlow` resource of a synthesized template. */
export interface DeclaredFlow {
  readonly name: string;
  readonly variant: FlowVariant;
  /** `Properties` as CloudFormation hands them to the handler: intrinsics resolved, scalars as strings. */
  readonly properties: Record<string, unknown>;
  /** The Flow JSON asset this resource reads, if any. */
  readonly asset?: StagedAsset;
  /** The resource's DeletionPolicy: with `Retain`, CloudFormation sends no Delete. */
  readonly deletionPolicy?: string;
  /** The resource's UpdateReplacePolicy: with `Retain`, a replaced resource gets no Delete. */
  readonly updateReplacePolicy?: string;
  /** The resource's type, for a resource of the provider other than a Flow. @default 'Custom::WhatsAppFlow' */
  readonly resourceType?: string;
}

/**
 * Synthesizes each variant as the only WhatsAppFlow of its own app (an app may not declare one WABA and name twice)
 * and returns each resource's properties, policies and staged Flow JSON asset.
 */
export function synthesizeFlows<K extends string>(variants: Record<K, FlowVariant>): Record<K, DeclaredFlow> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-synth-'));
  const jsonFiles = new Map<string, string>();
  const out = {} as Record<K, DeclaredFlow>;
  for (const [name, variant] of Object.entries(variants) as Array<[K, FlowVariant]>) {
    let file: string | undefined;
    if (variant.json !== undefined) {
      file = jsonFiles.get(variant.json);
      if (!file) {
        file = path.join(tmp, `flow-${jsonFiles.size}.json`);
        fs.writeFileSync(file, variant.json);
        jsonFiles.set(variant.json, file);
      }
    }
    out[name] = synthesizeOne(name, variant, file, path.join(tmp, `cdk.out.${name}`));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return out;
}

function synthesizeOne(name: string, variant: FlowVariant, jsonFile: string | undefined, outdir: string): DeclaredFlow {
  const app = new App({ outdir });
  // An explicit environment makes the asset bucket name a plain string in the template.
  const stack = new Stack(app, 'WireStack', { env: { account: ACCOUNT, region: REGION } });
  const flow = new WhatsAppFlow(stack, 'Flow', {
    whatsAppBusinessAccountId: variant.waba ?? WABA,
    flowName: variant.flowName,
    categories: variant.categories,
    flowJson: jsonFile ? FlowJson.fromFile(jsonFile) : undefined,
    publish: variant.publish,
    removalPolicy: variant.removalPolicy,
    adoptExistingFlow: variant.adoptExistingFlow,
    endpoint: variant.endpointUrl ? FlowEndpoint.fromUrl(variant.endpointUrl) : undefined,
    metaAppId: variant.metaAppId,
  });
  if (variant.usesPreviewUrl) new CfnOutput(stack, 'Preview', { value: flow.previewUrl });
  const artifact = app.synth().getStackByName(stack.stackName);
  const assets = stagedAssets(artifact.assembly.directory, `${artifact.id}.assets.json`);
  const [resource] = Object.values<any>(artifact.template.Resources).filter(r => r.Type === 'Custom::WhatsAppFlow');
  const properties = cfnString(resolve(resource.Properties)) as Record<string, unknown>;
  const asset = assets.find(a => a.key === properties.FlowJsonKey && a.bucket === properties.FlowJsonBucket);
  if (properties.FlowJsonKey && !asset) throw new Error(`no staged asset for ${name}`);
  return { name, variant, properties, asset, deletionPolicy: resource.DeletionPolicy, updateReplacePolicy: resource.UpdateReplacePolicy };
}

/** The file assets of the asset manifest with their destination bucket and key. */
function stagedAssets(dir: string, manifestFile: string): StagedAsset[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestFile), 'utf8'));
  const out: StagedAsset[] = [];
  for (const file of Object.values<any>(manifest.files ?? {})) {
    if (file.source.packaging !== 'file') continue;
    const bytes = fs.readFileSync(path.join(dir, file.source.path));
    for (const dest of Object.values<any>(file.destinations)) {
      out.push({ bucket: resolve(dest.bucketName) as string, key: dest.objectKey, bytes });
    }
  }
  return out;
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves the intrinsics this template uses, as CloudFormation would at deploy time. */
function resolve(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{(AWS::\w+)\}/g, (m, p) => PSEUDO[p] ?? m);
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === 'Fn::Sub') return resolve(obj['Fn::Sub']);
    if (keys.length === 1 && keys[0] === 'Ref') return PSEUDO[obj.Ref as string] ?? `ref-${obj.Ref}`;
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      // Only the service token is an attribute here: the Provider framework's function ARN.
      const [id] = obj['Fn::GetAtt'] as string[];
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:WireStack-${id}`;
    }
    if (keys.some(k => k.startsWith('Fn::'))) throw new Error(`unsupported intrinsic ${keys[0]}`);
    return Object.fromEntries(keys.map(k => [k, resolve(obj[k])]));
  }
  return value;
}

/** CloudFormation passes every scalar property of a custom resource as a string. */
export function cfnString(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cfnString);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cfnString(v)]));
  }
  return value === undefined || value === null ? value : String(value);
}
