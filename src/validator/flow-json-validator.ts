import { FlowChecker } from './checker';
import { MAX_FLOW_JSON_BYTES } from './components';

/**
 * One problem found in a Flow JSON document.
 */
export interface FlowJsonProblem {
  /**
   * A stable, readable rule code, for example `NAVIGATE_UNKNOWN_SCREEN`.
   *
   * The codes are listed in the README, section "Validating Flow JSON".
   */
  readonly code: string;

  /**
   * Where the problem is, as a JSONPath, for example `$.screens[1].layout.children[0].name`.
   */
  readonly path: string;

  /**
   * What is wrong and what to do about it.
   */
  readonly message: string;
}

/**
 * The outcome of validating a Flow JSON document.
 */
export interface FlowJsonValidationResult {
  /**
   * Problems that stop the Flow from being published. Empty when the Flow is valid.
   */
  readonly errors: FlowJsonProblem[];

  /**
   * Problems worth fixing that do not stop publishing (soft limits, versions Meta plans to retire).
   */
  readonly warnings: FlowJsonProblem[];
}

/**
 * Validates WhatsApp Flow JSON offline, against the rules of the Flow JSON version it declares and what AWS End User
 * Messaging Social can publish.
 *
 * @example
 * const result = FlowJsonValidator.validate(JSON.parse(fs.readFileSync('flow.json', 'utf8')));
 * if (result.errors.length > 0) throw new Error(result.errors.map(e => `${e.path}: ${e.message}`).join('\n'));
 */
export class FlowJsonValidator {
  /**
   * Validate a parsed Flow JSON object.
   *
   * @param definition the Flow JSON, as parsed from JSON
   */
  public static validate(definition: any): FlowJsonValidationResult {
    let text: string;
    try {
      text = JSON.stringify(definition) ?? '';
    } catch (error) {
      // Circular structures and BigInts cannot be uploaded either.
      const reason = error instanceof Error ? error.message : String(error);
      return { errors: [{ code: 'INVALID_JSON', path: '$', message: `The Flow cannot be written as JSON: ${reason}` }], warnings: [] };
    }
    return FlowJsonValidator.check(definition, Buffer.byteLength(text, 'utf8'));
  }

  /**
   * Validate Flow JSON text. A parse error, or text over the 10 MB limit, becomes an error with path `$`.
   *
   * @param text the Flow JSON document
   */
  public static validateText(text: string): FlowJsonValidationResult {
    let definition: any;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { errors: [{ code: 'INVALID_JSON', path: '$', message: `The file is not valid JSON: ${reason}` }], warnings: [] };
    }
    return FlowJsonValidator.check(definition, Buffer.byteLength(text, 'utf8'));
  }

  private static check(definition: any, sizeInBytes: number): FlowJsonValidationResult {
    const checker = new FlowChecker();
    if (sizeInBytes > MAX_FLOW_JSON_BYTES) {
      const megabytes = (sizeInBytes / 1024 / 1024).toFixed(1);
      checker.report('FLOW_TOO_LARGE', '$', `The Flow JSON is ${megabytes} MB; the limit is 10 MB. Move large images out or split the Flow.`);
    }
    checker.check(definition);
    return { errors: [...checker.errors], warnings: [...checker.warnings] };
  }
}
