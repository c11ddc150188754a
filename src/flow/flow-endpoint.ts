import { Token } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';

/** What a Flow needs to know of its endpoint. */
export interface FlowEndpointConfig {
  /** The HTTPS URL Meta calls for the Flow's data exchange and health checks. */
  readonly url: string;

  /**
   * What must exist before the Flow is created or published: publishing a dynamic Flow makes Meta call the
   * endpoint's health check at once.
   *
   * @default - nothing
   */
  readonly dependsOn?: IDependable[];

  /**
   * What names the endpoint in the Flow's synth messages, such as its construct path.
   *
   * @default - its URL
   */
  readonly source?: string;

  /**
   * The endpoint verifies each request's `X-Hub-Signature-256` with a Meta app's secret. Meta signs a Flow's
   * requests with the secret of the app attached to the Flow, so a Flow that uses the endpoint without `metaAppId`
   * fails the synth.
   *
   * @default false
   */
  readonly verifiesSignatures?: boolean;

  /**
   * The endpoint verifies the `flow_token_signature` of data API 4.0 requests. Meta sends none on data API 3.0: a
   * Flow whose JSON has `"data_api_version": "3.0"` gets a synth warning.
   *
   * @default false
   */
  readonly verifiesFlowTokenSignatures?: boolean;
}

/**
 * The data-exchange endpoint of a dynamic Flow (one whose Flow JSON has `data_api_version`, a `routing_model` or
 * `data_exchange` actions): a plain URL with `FlowEndpoint.fromUrl()`, or a `WhatsAppFlowEndpoint`.
 */
export interface IFlowEndpoint {
  /** Called by the Flow that uses this endpoint. */
  bind(scope: Construct): FlowEndpointConfig;
}

/** Endpoints for dynamic Flows. */
export abstract class FlowEndpoint implements IFlowEndpoint {
  /**
   * An endpoint served elsewhere, at this HTTPS URL. It must answer Meta's encrypted requests and health checks
   * with the business public key registered for the sending phone numbers.
   */
  public static fromUrl(url: string): FlowEndpoint {
    return new UrlFlowEndpoint(url);
  }

  public abstract bind(scope: Construct): FlowEndpointConfig;
}

class UrlFlowEndpoint extends FlowEndpoint {
  constructor(private readonly url: string) {
    super();
  }

  public bind(scope: Construct): FlowEndpointConfig {
    if (!Token.isUnresolved(this.url) && !isHttpsUrl(this.url)) {
      const message = `${scope.node.path}: the Flow endpoint '${this.url}' is not an https:// URL; Meta only calls endpoints over HTTPS`;
      scope.node.addValidation({ validate: () => [message] });
    }
    return { url: this.url };
  }
}

/** True for an absolute `https://` URL with a host. */
function isHttpsUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.hostname !== '';
  } catch {
    return false;
  }
}
