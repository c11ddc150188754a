/**
 * The construct side of the endpoint's media: checks the media props, tells the function where to store
 * files, and grants it s3:PutObject under the prefix and no more.
 */
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EndpointEnv } from './contract';
import { DEFAULT_MEDIA_HOSTS, DEFAULT_MEDIA_PREFIX } from './media-contract';
import { FlowEndpointMediaProps } from './media-props';

const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/i;
const IPV4ISH = /^(\*\.)?[0-9.]+(:[0-9]+)?$/;

/** The problems with the media props, each a sentence. */
export function mediaPropsProblems(props: FlowEndpointMediaProps): string[] {
  const problems: string[] = [];
  if (!props.mediaBucket && (props.mediaKeyPrefix !== undefined || props.mediaHosts !== undefined)) {
    problems.push('mediaKeyPrefix and mediaHosts need mediaBucket: without a bucket, media entries reach the handler as Meta sent them');
  }
  const prefix = props.mediaKeyPrefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && (!PREFIX.test(prefix) || prefix.length > 200)) {
    problems.push(`mediaKeyPrefix '${prefix}' must be 1 to 200 of letters, digits and !-_.*'()/, without a leading, trailing or double '/'`);
  }
  const hosts = props.mediaHosts;
  if (hosts !== undefined && !Token.isUnresolved(hosts)) {
    if (hosts.length === 0) problems.push('mediaHosts must name at least one host');
    for (const host of hosts) {
      if (Token.isUnresolved(host)) continue;
      if (!HOST_PATTERN.test(host) || host.includes(',')) {
        problems.push(`mediaHosts: '${host}' is not a host name ('mmg.whatsapp.net', '*.whatsapp.net', optionally with ':port'); no scheme, path or other wildcard`);
      } else if (IPV4ISH.test(host) || host.startsWith('*.') && !host.slice(2).includes('.')) {
        problems.push(`mediaHosts: '${host}' is an IP address or a wildcard for a whole top-level domain`);
      }
    }
  }
  return problems;
}

/** Points the function at the bucket and grants it PutObject under the prefix (and the bucket key's encryption). */
export function configureEndpointMedia(scope: Construct, fn: lambda.Function, props: FlowEndpointMediaProps): void {
  scope.node.addValidation({ validate: () => mediaPropsProblems(props).map((p) => `WhatsAppFlowEndpoint ${scope.node.path}: ${p}`) });
  const bucket = props.mediaBucket;
  if (!bucket) return;
  const prefix = props.mediaKeyPrefix ?? DEFAULT_MEDIA_PREFIX;
  fn.addEnvironment(EndpointEnv.MEDIA_BUCKET, bucket.bucketName);
  fn.addEnvironment(EndpointEnv.MEDIA_PREFIX, prefix);
  fn.addEnvironment(EndpointEnv.MEDIA_HOSTS, (props.mediaHosts ?? DEFAULT_MEDIA_HOSTS).join(','));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${prefix}/*`)] }));
  bucket.encryptionKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Encrypt');
}
