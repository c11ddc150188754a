import { AnswerFinding, FlowContract, judgeAnswer } from './answer-check';
import { summarizeFlow } from './answer-summary';

/**
 * The request an endpoint answer is for: the fields of Meta's request that decide what the answer may be.
 */
export interface FlowAnswerRequest {
  /**
   * The request's `action`: `INIT`, `data_exchange` or `BACK`.
   */
  readonly action: string;

  /**
   * The request's `screen`: the screen the customer is on. Meta sends it with `data_exchange` (and may with `BACK`).
   *
   * @default - none: an INIT request
   */
  readonly screen?: string;

  /**
   * The request's `flow_token`. With it, a SUCCESS answer is also checked to hand back this token.
   *
   * @default - the token a SUCCESS answer carries is not compared
   */
  readonly flowToken?: string;
}

/**
 * One way an endpoint answer breaks the Flow JSON's contract.
 */
export interface FlowAnswerProblem {
  /**
   * A stable rule code, for example `ANSWER_DATA_MISSING_FIELD`. The codes are listed in the README, section
   * "Checking endpoint answers".
   */
  readonly code: string;

  /**
   * `error` (Meta shows the customer a generic error and counts the endpoint unhealthy) or `warning`.
   */
  readonly severity: string;

  /**
   * Where the problem is in the answer, as a JSONPath, for example `$.data.slots[0].title`.
   */
  readonly path: string;

  /**
   * What is wrong and what to do about it.
   */
  readonly message: string;

  /**
   * The name that was probably meant, when the answer names an unknown screen or field ("did you mean").
   *
   * @default - no suggestion
   */
  readonly suggestion?: string;
}

/**
 * The outcome of checking one endpoint answer.
 */
export interface FlowAnswerCheckResult {
  /**
   * True when the answer has no errors: Meta can show it.
   */
  readonly valid: boolean;

  /**
   * Problems that make Meta refuse the answer. Empty when it is valid.
   */
  readonly errors: FlowAnswerProblem[];

  /**
   * Problems worth fixing that Meta does not refuse the answer for (a field the screen does not declare).
   */
  readonly warnings: FlowAnswerProblem[];

  /**
   * The screen the answer was checked against: a screen of the Flow JSON, or `SUCCESS`.
   *
   * @default - the answer names no screen of the Flow
   */
  readonly screen?: string;
}

/**
 * What a Flow endpoint may answer, as the Flow JSON says: a unit-test oracle for the function behind a
 * `WhatsAppFlowEndpoint` (or any Flow endpoint). The same rules run in the endpoint itself, on every answer
 * (`WhatsAppFlowEndpoint`'s `checkAnswers`).
 *
 * It checks that the answer's `screen` exists and that the request may lead there (INIT: an entry screen;
 * data_exchange: the same screen or a route of `routing_model`; BACK: the screen or one before it); that `data`
 * gives every field the screen declares, each of the declared type and shape (`items`, `properties`); that
 * `error_message` appears only where Meta shows it; and that a `SUCCESS` answer carries
 * `extension_message_response.params.flow_token`.
 *
 * @example
 * const contract = FlowAnswerContract.fromFlowJsonText(fs.readFileSync('flow.json', 'utf8'));
 * const result = contract.check(answer, { action: 'data_exchange', screen: 'APPOINTMENT' });
 * expect(result.errors).toEqual([]);
 */
export class FlowAnswerContract {
  /**
   * The contract of a parsed Flow JSON object.
   *
   * @param definition the Flow JSON, as parsed from JSON
   */
  public static fromFlowJson(definition: any): FlowAnswerContract {
    const contract = summarizeFlow(definition);
    if (!contract || Object.keys(contract.s).length === 0) {
      throw new Error('The Flow JSON has no screens to check answers against. Run `whatsapp-flow validate` on it to see why.');
    }
    return new FlowAnswerContract(contract);
  }

  /**
   * The contract of Flow JSON text (a UTF-8 byte-order mark at the start is ignored).
   *
   * @param text the Flow JSON document
   */
  public static fromFlowJsonText(text: string): FlowAnswerContract {
    let definition: unknown;
    try {
      definition = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new Error(`The Flow JSON is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    return FlowAnswerContract.fromFlowJson(definition);
  }

  /** The ids of the Flow's screens. */
  public readonly screenIds: string[];

  private constructor(private readonly contract: FlowContract) {
    this.screenIds = Object.keys(contract.s);
  }

  /**
   * Checks one answer of the endpoint's function.
   *
   * @param answer the plain answer, as the function returns it (`{screen, data}`)
   * @param request the request it answers
   */
  public check(answer: any, request: FlowAnswerRequest): FlowAnswerCheckResult {
    const verdict = judgeAnswer([this.contract], request, answer);
    const problem = (finding: AnswerFinding): FlowAnswerProblem => ({ ...finding });
    const errors = verdict.findings.filter(f => f.severity === 'error').map(problem);
    const warnings = verdict.findings.filter(f => f.severity === 'warning').map(problem);
    return { valid: errors.length === 0, errors, warnings, ...(verdict.screen !== undefined ? { screen: verdict.screen } : {}) };
  }
}
