import { MetaFlowCategory } from '@aws-sdk/client-socialmessaging';
import { wabaIdOf } from '../../provider/waba';
import { FlowResourceProperties } from '../contract';

/** Where a Flow JSON asset lives in S3; its key names the content hash, so a changed file is a changed key. */
export interface JsonSource {
  readonly bucket: string;
  readonly key: string;
}

/** A Flow as the stack declares it: the resource's properties, parsed. */
export interface DesiredFlow {
  readonly wabaId: string;
  readonly flowName: string;
  readonly categories: MetaFlowCategory[];
  readonly json?: JsonSource;
  readonly publish: boolean;
  readonly cloneFlowId?: string;
  readonly adoptExisting: boolean;
  readonly endpointUri?: string;
  readonly metaAppId?: string;
  /** Whether the stack uses the PreviewUrl attribute. */
  readonly readPreviewUrl: boolean;
}

/** What UpdateWhatsAppFlow changes: only the fields that are set. */
export interface MetadataChanges {
  readonly flowName?: string;
  readonly categories?: MetaFlowCategory[];
  readonly endpointUri?: string;
  readonly metaAppId?: string;
}

export const hasMetadataChanges = (m: MetadataChanges) => Object.values(m).some((value) => value !== undefined);

const isTrue = (value: unknown) => String(value) === 'true';

export function desiredFlow(properties: FlowResourceProperties): DesiredFlow {
  return {
    wabaId: wabaIdOf(properties.WhatsAppBusinessAccountId),
    flowName: properties.FlowName,
    categories: (properties.Categories ?? []) as MetaFlowCategory[],
    json: properties.FlowJsonBucket && properties.FlowJsonKey
      ? { bucket: properties.FlowJsonBucket, key: properties.FlowJsonKey }
      : undefined,
    publish: isTrue(properties.Publish),
    cloneFlowId: properties.CloneFlowId || undefined,
    adoptExisting: isTrue(properties.AdoptExistingFlow),
    endpointUri: properties.EndpointUri || undefined,
    metaAppId: properties.MetaAppId || undefined,
    readPreviewUrl: isTrue(properties.ReadPreviewUrl),
  };
}

/** Whether two declarations name different Flow JSON assets. */
export function jsonSourceChanged(desired: DesiredFlow, previous: DesiredFlow | undefined): boolean {
  return desired.json !== undefined && (desired.json.bucket !== previous?.json?.bucket || desired.json.key !== previous?.json?.key);
}
