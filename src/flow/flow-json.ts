import * as fs from 'fs';
import * as path from 'path';
import { FileSystem, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { markUnavailable } from './unavailable-flow-json';

/** What a `FlowJson` source needs to know about the Flow that uses it. */
export interface FlowJsonBindOptions {
  /** Who reads the Flow JSON at deploy time: it is granted read access to this one object. */
  readonly grantee: iam.IGrantable;
}

/** Where a bound Flow JSON lives, and its text for synth-time checks. */
export interface FlowJsonConfig {
  /** The bucket of the S3 asset that holds the Flow JSON. */
  readonly bucket: s3.IBucket;
  /** The asset's object key. It is derived from the content, so changed content means a changed key. */
  readonly objectKey: string;
  /** The Flow JSON text. */
  readonly text: string;
  /** Where the Flow JSON comes from, for messages: a file path, or `FlowJson.fromObject`. */
  readonly source: string;
}

/**
 * The Flow JSON of a WhatsApp Flow: the screens, components and actions that Meta renders.
 *
 * It travels to the deploy as an S3 asset, never inline in the template.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/reference/flowjson
 */
export abstract class FlowJson {
  /**
   * A Flow JSON file next to your code.
   *
   * @param filePath the path of the file; relative paths are relative to the working directory of `cdk synth`.
   */
  public static fromFile(filePath: string): FlowJson {
    return new AssetFlowJson(path.resolve(filePath), filePath);
  }

  /**
   * A Flow JSON object written in code. It is serialized at synth time and must not hold tokens.
   *
   * @param definition the Flow JSON, for example `{ version: '7.3', screens: [...] }`.
   */
  public static fromObject(definition: { [key: string]: any }): FlowJson {
    const text = JSON.stringify(definition, undefined, 2);
    if (Token.isUnresolved(text)) {
      // Reported by the synth, naming the Flow that uses it.
      return new AssetFlowJson(undefined, 'FlowJson.fromObject', 'the Flow JSON given to FlowJson.fromObject holds an unresolved token; '
        + 'a Flow JSON is fixed at synth time, so write the value itself.');
    }
    const file = path.join(FileSystem.mkdtemp('flow-json'), 'flow.json');
    fs.writeFileSync(file, text);
    return new AssetFlowJson(file, 'FlowJson.fromObject');
  }

  /**
   * Makes the Flow JSON available to the Flow `scope` and grants `options.grantee` read access to it.
   */
  public abstract bind(scope: Construct, options: FlowJsonBindOptions): FlowJsonConfig;
}

class AssetFlowJson extends FlowJson {
  /**
   * @param filePath the file to upload; undefined when `problem` says why there is none
   * @param source what names the Flow JSON in messages
   * @param problem why the Flow JSON cannot be used, reported by the synth of the Flow that binds it
   */
  constructor(private readonly filePath: string | undefined, private readonly source: string, private readonly problem?: string) {
    super();
  }

  public bind(scope: Construct, options: FlowJsonBindOptions): FlowJsonConfig {
    const filePath = this.filePath;
    if (this.problem !== undefined || filePath === undefined || !fs.existsSync(filePath) || !fs.statSync(filePath).isFile()) {
      const problem = this.problem ?? `Flow JSON file ${this.source} does not exist. Check the path given to FlowJson.fromFile.`;
      // The synth fails with this message; until then the Flow is built without the Flow JSON.
      scope.node.addValidation({ validate: () => [`WhatsAppFlow ${scope.node.path}: ${problem}`] });
      return markUnavailable({ bucket: placeholderBucket(scope), objectKey: '', text: '', source: this.source });
    }
    const asset = new s3_assets.Asset(scope, 'FlowJsonAsset', { path: filePath });
    // Read access to this one object only, not to the whole asset bucket.
    options.grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
    }));
    return {
      bucket: asset.bucket,
      objectKey: asset.s3ObjectKey,
      text: fs.readFileSync(filePath, 'utf-8'),
      source: this.source,
    };
  }
}

/** A bucket reference for a Flow JSON that could not be bound: never deployed, since the synth fails. */
function placeholderBucket(scope: Construct): s3.IBucket {
  return s3.Bucket.fromBucketName(scope, 'UnavailableFlowJson', 'unavailable-flow-json');
}
