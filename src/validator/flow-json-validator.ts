import { checkFlow } from './checker';
import { MAX_FLOW_JSON_BYTES } from './components';
import { Reporter } from './context';
import { findJsonSyntaxError } from './json-syntax';

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

  /**
   * For text that is not JSON (`INVALID_JSON`): the line where parsing failed, counted from 1.
   *
   * @default - not given: the problem is located by its `path`
   */
  readonly line?: number;

  /**
   * For text that is not JSON (`INVALID_JSON`): the column where parsing failed, counted from 1 in characters.
   *
   * @default - not given: the problem is located by its `path`
   */
  readonly column?: number;
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
   * Problems worth fixing that do not stop publishing (soft limits, versions Meta plans to retire, design advice).
   */
  readonly warnings: FlowJsonProblem[];
}

/**
 * Options for validating Flow JSON.
 */
export interface FlowJsonValidationOptions {
  /**
   * Warning codes to leave out of the result, for example `['DESIGN_SENTENCE_CASE']`.
   *
   * Only warnings can be silenced: an error code listed here is still reported (errors stop Meta from publishing
   * the Flow; the construct's `validateFlowJson: false` is the escape hatch for a false error).
   *
   * @default - every warning is reported
   */
  readonly ignoreWarnings?: string[];
}

/** UTF-8 byte-order mark, as it reads once decoded. */
const BOM = '\uFEFF';

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
   * @param options which warnings to leave out
   */
  public static validate(definition: any, options?: FlowJsonValidationOptions): FlowJsonValidationResult {
    let text: string;
    try {
      text = JSON.stringify(definition) ?? '';
    } catch (error) {
      // Circular structures and BigInts cannot be uploaded either.
      const reason = error instanceof Error ? error.message : String(error);
      return { errors: [{ code: 'INVALID_JSON', path: '$', message: `The Flow cannot be written as JSON: ${reason}` }], warnings: [] };
    }
    return FlowJsonValidator.check(definition, Buffer.byteLength(text, 'utf8'), new Reporter(new Set(options?.ignoreWarnings ?? [])));
  }

  /**
   * Validate Flow JSON text. A parse error, or text over the 10 MB limit, becomes an error with path `$`.
   *
   * A UTF-8 byte-order mark at the start is ignored, with the warning `UTF8_BOM`: JSON (RFC 8259 § 8.1) lets a
   * parser ignore it, and Meta does not document what it does with one.
   *
   * @param text the Flow JSON document
   * @param options which warnings to leave out
   */
  public static validateText(text: string, options?: FlowJsonValidationOptions): FlowJsonValidationResult {
    const reporter = new Reporter(new Set(options?.ignoreWarnings ?? []));
    let json = text;
    if (json.startsWith(BOM)) {
      json = json.slice(BOM.length);
      reporter.report('UTF8_BOM', '$', 'The file starts with a UTF-8 byte-order mark. It was ignored here, but Meta does not document accepting one: save the file as UTF-8 without a BOM.');
    }
    let definition: any;
    try {
      definition = JSON.parse(json);
    } catch (error) {
      return { errors: [parseError(json, error)], warnings: [...reporter.warnings] };
    }
    return FlowJsonValidator.check(definition, Buffer.byteLength(json, 'utf8'), reporter);
  }

  private static check(definition: any, sizeInBytes: number, reporter: Reporter): FlowJsonValidationResult {
    if (sizeInBytes > MAX_FLOW_JSON_BYTES) {
      const megabytes = (sizeInBytes / 1024 / 1024).toFixed(1);
      reporter.report('FLOW_TOO_LARGE', '$', `The Flow JSON is ${megabytes} MB; the limit is 10 MB. Move large images out or split the Flow.`);
    }
    checkFlow(definition, reporter);
    return { errors: [...reporter.errors], warnings: [...reporter.warnings] };
  }
}

/** INVALID_JSON with the line and column where the text stops being JSON. */
function parseError(json: string, error: unknown): FlowJsonProblem {
  const found = findJsonSyntaxError(json);
  const offset = found ? found.offset : json.length;
  const before = json.slice(0, offset).split(/\r\n|\r|\n/);
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  const reason = found?.reason ?? String(error instanceof Error ? error.message : error).split('\n')[0];
  return { code: 'INVALID_JSON', path: '$', message: `The file is not valid JSON at line ${line}, column ${column}: ${reason}.`, line, column };
}
