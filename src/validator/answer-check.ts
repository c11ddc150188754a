/**
 * The answer contract of dynamic Flows: what an endpoint may answer to a request of Meta's, given the Flow JSON.
 * This file is the checker itself, over a compact summary of the Flow JSON (`FlowContract`), and nothing else: the
 * endpoint function bundles it (src/endpoint/runtime/answer-guard.ts), so it imports no other validator code than
 * the "did you mean" and JSON path helpers. The summary is made at synth time by answer-contract.ts.
 *
 * Sources: Meta's "Implementing Endpoints for Flows" (developers.facebook.com/docs/whatsapp/flows/guides/
 * implementingyourflowendpoint): a response is `{screen, data}`, where `screen` names the next screen and `data` is
 * that screen's data; `{screen: "SUCCESS", data: {extension_message_response: {params: {flow_token, …}}}}` closes
 * the Flow and sends the completion message; `data.error_message` shows a snackbar on the screen the customer is
 * on. The Flow JSON reference § Routing model: the endpoint may move a screen only along a route of
 * `routing_model`, and INIT opens the Flow on its entry screen (the one no route leads to). § Dynamic properties:
 * a screen's `data` declares each field with a JSON-schema `type` (`items`, `properties`) and an `__example__`.
 * Meta's own samples (WhatsApp/WhatsApp-Flows-Tools, examples/endpoint/nodejs/book-appointment) are the
 * reference answers: they pass.
 */
import { keyPath, indexPath } from './json-path';
import { closest } from './suggest';

/** The compact shape of a declared data field: JSON schema's `type`, `items`, `properties` and `required`. */
export interface FieldShape {
  /** `string`, `number`, `integer`, `boolean`, `array` or `object`; absent: anything. */
  readonly t?: string;
  /** Array items. */
  readonly i?: FieldShape;
  /** Object properties. */
  readonly p?: Record<string, FieldShape>;
  /** Object properties that must be present. */
  readonly q?: string[];
}

/** One screen of the contract. */
export interface ScreenContract {
  /** Its declared data fields. */
  readonly d: Record<string, FieldShape>;
  /** The screens `routing_model` lets the endpoint move to from it; absent: the Flow has no routing model. */
  readonly r?: string[];
  /** Fields the screen sets itself with `update_data`: an answer may leave them out. */
  readonly u?: string[];
}

/** The contract of one Flow JSON. */
export interface FlowContract {
  /** Its screens by id. */
  readonly s: Record<string, ScreenContract>;
  /** The screens an INIT answer may open: those no route leads to. */
  readonly e: string[];
}

/** What the endpoint function learns at synth time: the contracts of every Flow bound to it. */
export interface ContractSummary {
  readonly v: 1;
  readonly f: FlowContract[];
}

/** The request the answer is for. */
export interface AnswerRequestLike {
  readonly action: string;
  /** The screen the customer is on (data_exchange, BACK). */
  readonly screen?: string;
  /** The request's flow token: the SUCCESS answer should hand it back. */
  readonly flowToken?: string;
}

export type AnswerSeverity = 'error' | 'warning';

export interface AnswerFinding {
  readonly code: AnswerRuleCode;
  readonly severity: AnswerSeverity;
  /** JSONPath into the answer. */
  readonly path: string;
  readonly message: string;
  /** The name that was probably meant, when a name is unknown. */
  readonly suggestion?: string;
}

export interface AnswerVerdict {
  readonly findings: AnswerFinding[];
  /** The screen the answer was judged against (a known screen of the Flow, or SUCCESS). */
  readonly screen?: string;
}

/** Every rule of the answer contract, its severity and what it checks. The README's table lists the same. */
export const ANSWER_RULES = {
  ANSWER_NOT_AN_OBJECT: { severity: 'error', summary: 'The answer is not a JSON object `{screen, data}`.' },
  ANSWER_SCREEN_MISSING: { severity: 'error', summary: 'The answer has no `screen` (a string naming the next screen, or SUCCESS).' },
  ANSWER_UNKNOWN_SCREEN: { severity: 'error', summary: '`screen` names no screen of the Flow JSON.' },
  ANSWER_SCREEN_NOT_ALLOWED: { severity: 'error', summary: 'The screen exists, but the request cannot lead there: INIT opens an entry screen, data_exchange stays or moves along `routing_model`, BACK returns to the screen or one before it, SUCCESS answers a data_exchange only.' },
  REQUEST_SCREEN_UNKNOWN: { severity: 'error', summary: 'The request\'s current screen is not a screen of the Flow JSON (the answer cannot be judged; the Flow deployed may not be this one).' },
  ANSWER_DATA_NOT_AN_OBJECT: { severity: 'error', summary: '`data` is not a JSON object.' },
  ANSWER_DATA_MISSING_FIELD: { severity: 'error', summary: 'A field the next screen declares in `data` (or a required property of one of its objects) is missing.' },
  ANSWER_DATA_TYPE_MISMATCH: { severity: 'error', summary: 'A value has another type or shape than the screen declares (for example a string where it declares an array of `{id, title}`).' },
  ANSWER_DATA_UNKNOWN_FIELD: { severity: 'warning', summary: 'A `data` field the next screen does not declare (often a typo of a declared one).' },
  ANSWER_ERROR_MESSAGE_NOT_ALLOWED: { severity: 'error', summary: '`error_message` where Meta does not show one (an INIT or SUCCESS answer), or not a string.' },
  ANSWER_SUCCESS_FLOW_TOKEN_MISSING: { severity: 'error', summary: 'A SUCCESS answer without `data.extension_message_response.params.flow_token`.' },
  ANSWER_SUCCESS_FLOW_TOKEN_MISMATCH: { severity: 'warning', summary: 'A SUCCESS answer whose `flow_token` is not the request\'s.' },
} satisfies Record<string, { severity: AnswerSeverity; summary: string }>;

export type AnswerRuleCode = keyof typeof ANSWER_RULES;

/** The screen name that completes a Flow. */
export const SUCCESS_SCREEN = 'SUCCESS';
const ERROR_MESSAGE = 'error_message';
const SCREEN_PATH = '$.screen';
const DATA_PATH = '$.data';
/** Type problems reported per answer at most: a list of 500 wrong items says it once. */
const MAX_SHAPE_FINDINGS = 10;

type Json = any;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Findings {
  public readonly list: AnswerFinding[] = [];
  public shapeFindings = 0;
  public add(code: AnswerRuleCode, path: string, message: string, suggestion?: string): void {
    const severity = ANSWER_RULES[code].severity as AnswerSeverity;
    this.list.push({ code, severity, path, message, ...(suggestion !== undefined ? { suggestion } : {}) });
  }
  public get errors(): number {
    return this.list.filter(f => f.severity === 'error').length;
  }
}

function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`;
}

/**
 * Judges an answer against the contracts of one or more Flows. Screen ids may repeat across Flows: every Flow that
 * could have sent the request is a candidate, and the answer breaks the contract only when it fits none of them.
 * Then the findings of the candidate it came closest to (one that has the answer's screen, then the fewest errors, then the first) are returned.
 */
export function judgeAnswer(flows: readonly FlowContract[], request: AnswerRequestLike, answer: Json): AnswerVerdict {
  const findings = new Findings();
  if (!isObject(answer)) {
    findings.add('ANSWER_NOT_AN_OBJECT', '$', `The answer must be a JSON object {"screen": ..., "data": {...}}, not ${describe(answer)}.`);
    return { findings: findings.list };
  }
  if (typeof answer.screen !== 'string' || answer.screen === '') {
    findings.add('ANSWER_SCREEN_MISSING', SCREEN_PATH,
      `The answer needs "screen": the id of the screen to show next, or "${SUCCESS_SCREEN}" to complete the Flow.`);
    return { findings: findings.list };
  }
  const current = request.action === 'INIT' ? undefined : request.screen;
  const candidates = current === undefined ? flows : flows.filter(flow => Object.prototype.hasOwnProperty.call(flow.s, current));
  if (candidates.length === 0) {
    const known = flows.flatMap(flow => Object.keys(flow.s));
    const suggestion = closest(current!, known);
    findings.add('REQUEST_SCREEN_UNKNOWN', '$',
      `The request comes from screen "${current}", which is not a screen of the Flow JSON${flows.length > 1 ? 's' : ''}.${didYouMean(suggestion)} Is the Flow deployed the one checked here?`, suggestion);
    return { findings: findings.list };
  }
  let best: { findings: Findings; screen?: string } | undefined;
  // A Flow that has the answer's screen is closer than one that does not, whatever the number of errors.
  const distance = (result: { findings: Findings; screen?: string }) => result.findings.errors + (result.screen === undefined ? 1_000 : 0);
  for (const flow of candidates) {
    const result = judgeInFlow(flow, request, answer);
    if (result.findings.errors === 0) return { findings: result.findings.list, screen: result.screen };
    if (!best || distance(result) < distance(best)) best = result;
  }
  return { findings: best!.findings.list, screen: best!.screen };
}

function judgeInFlow(flow: FlowContract, request: AnswerRequestLike, answer: Record<string, Json>): { findings: Findings; screen?: string } {
  const findings = new Findings();
  const screen: string = answer.screen;
  const data = answer.data;
  if (screen === SUCCESS_SCREEN) {
    judgeSuccess(findings, request, data);
    return { findings, screen };
  }
  const target = Object.prototype.hasOwnProperty.call(flow.s, screen) ? flow.s[screen] : undefined;
  if (!target) {
    const suggestion = closest(screen, [...Object.keys(flow.s), SUCCESS_SCREEN]);
    findings.add('ANSWER_UNKNOWN_SCREEN', SCREEN_PATH,
      `No screen has id "${screen}".${didYouMean(suggestion)} Known screens: ${Object.keys(flow.s).join(', ')} (and ${SUCCESS_SCREEN} to complete the Flow).`, suggestion);
    return { findings };
  }
  judgeRoute(findings, flow, request, screen);
  if (data !== undefined && !isObject(data)) {
    findings.add('ANSWER_DATA_NOT_AN_OBJECT', DATA_PATH, `"data" must be an object with the fields screen "${screen}" declares, not ${describe(data)}.`);
    return { findings, screen };
  }
  judgeData(findings, request, screen, target, data ?? {});
  return { findings, screen };
}

/** INIT opens an entry screen; data_exchange stays or follows a route; BACK goes to the screen or one before it. */
function judgeRoute(findings: Findings, flow: FlowContract, request: AnswerRequestLike, screen: string): void {
  const current = request.screen;
  if (request.action === 'INIT') {
    if (!flow.e.includes(screen)) {
      findings.add('ANSWER_SCREEN_NOT_ALLOWED', SCREEN_PATH,
        `An INIT answer opens the Flow, on its entry screen (${flow.e.map(e => `"${e}"`).join(' or ') || 'none'}), not on "${screen}": routing_model leads to "${screen}" from another screen.`,
        flow.e.length === 1 ? flow.e[0] : undefined);
    }
    return;
  }
  if (current === undefined || screen === current) return;
  const from = flow.s[current];
  if (request.action === 'BACK') {
    if (!before(flow, screen, current)) {
      findings.add('ANSWER_SCREEN_NOT_ALLOWED', SCREEN_PATH,
        `A BACK answer refreshes "${current}" or a screen before it in routing_model; "${screen}" is neither.`, current);
    }
    return;
  }
  if (from.r !== undefined && !from.r.includes(screen)) {
    const routes = from.r.length === 0 ? 'none: it is a last screen' : from.r.map(r => `"${r}"`).join(', ');
    const suggestion = closest(screen, from.r);
    findings.add('ANSWER_SCREEN_NOT_ALLOWED', SCREEN_PATH,
      `routing_model does not let "${current}" go to "${screen}" (its routes: ${routes}). Answer one of them, "${current}" itself to update it, or add "${screen}" to routing_model.${current}.${didYouMean(suggestion)}`,
      suggestion);
  }
}

/** True when `screen` leads to `current` along routes (a BACK may refresh any screen the customer came through). */
function before(flow: FlowContract, screen: string, current: string): boolean {
  const seen = new Set<string>();
  const queue = [screen];
  while (queue.length > 0) {
    const at = queue.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const routes = flow.s[at]?.r;
    if (routes === undefined) return true; // no routing model: any screen may come before
    if (routes.includes(current)) return true;
    queue.push(...routes);
  }
  return false;
}

function judgeData(findings: Findings, request: AnswerRequestLike, screen: string, target: ScreenContract, data: Record<string, Json>): void {
  const hasErrorMessage = Object.prototype.hasOwnProperty.call(data, ERROR_MESSAGE);
  if (hasErrorMessage) {
    if (request.action === 'INIT') {
      findings.add('ANSWER_ERROR_MESSAGE_NOT_ALLOWED', keyPath(DATA_PATH, ERROR_MESSAGE),
        'An INIT answer cannot carry "error_message": the snackbar shows on the screen the customer is on, and INIT has none yet. Answer the entry screen\'s data.');
    } else if (typeof data[ERROR_MESSAGE] !== 'string') {
      findings.add('ANSWER_ERROR_MESSAGE_NOT_ALLOWED', keyPath(DATA_PATH, ERROR_MESSAGE), `"error_message" is the text of a snackbar: a string, not ${describe(data[ERROR_MESSAGE])}.`);
    }
  }
  // A snackbar on the same screen keeps the screen's data: the answer may carry error_message alone.
  const keepsData = hasErrorMessage && request.action !== 'INIT' && screen === request.screen;
  const declared = Object.keys(target.d);
  const unknown = Object.keys(data).filter(key => key !== ERROR_MESSAGE && !Object.prototype.hasOwnProperty.call(target.d, key));
  const missing: string[] = [];
  for (const name of declared) {
    if (Object.prototype.hasOwnProperty.call(data, name)) {
      judgeShape(findings, data[name], target.d[name], () => ({ path: keyPath(DATA_PATH, name), name: `"${name}"` }));
    } else if (!keepsData && !target.u?.includes(name)) {
      missing.push(name);
    }
  }
  for (const name of missing) {
    const typo = closest(name, unknown);
    findings.add('ANSWER_DATA_MISSING_FIELD', keyPath(DATA_PATH, name),
      `Screen "${screen}" declares "${name}"${describeShape(target.d[name])} in its data, and the answer does not give it.${typo !== undefined ? ` The answer has "${typo}": a typo?` : ''}`);
  }
  for (const key of unknown) {
    const suggestion = closest(key, missing.length > 0 ? missing : declared);
    findings.add('ANSWER_DATA_UNKNOWN_FIELD', keyPath(DATA_PATH, key),
      `Screen "${screen}" does not declare "${key}" in its data, so it is not shown.${didYouMean(suggestion)}`, suggestion);
  }
}

/** Where a value is: its JSONPath and its name in a message, both made only when a problem is reported. */
type Place = () => { readonly path: string; readonly name: string };

function judgeShape(findings: Findings, value: Json, shape: FieldShape, place: Place): void {
  if (findings.shapeFindings >= MAX_SHAPE_FINDINGS || shape.t === undefined) return;
  if (!fits(value, shape.t)) {
    findings.shapeFindings++;
    const { path, name } = place();
    findings.add('ANSWER_DATA_TYPE_MISMATCH', path, `${name} is declared as ${article(shape)}${describeShape(shape, true)}, but the answer gives ${describe(value)}.`);
    return;
  }
  if (shape.t === 'array' && shape.i) {
    const items: Json[] = value;
    const item = shape.i;
    for (let index = 0; index < items.length && findings.shapeFindings < MAX_SHAPE_FINDINGS; index++) {
      // Items that are plain values of the right type need no place at all.
      if (item.p === undefined && item.i === undefined && (item.t === undefined || fits(items[index], item.t))) continue;
      judgeShape(findings, items[index], item, () => {
        const outer = place();
        return { path: indexPath(outer.path, index), name: `Item ${index} of ${outer.name}` };
      });
    }
  } else if (shape.t === 'object' && shape.p) {
    for (const key in shape.p) {
      const property = shape.p[key];
      const inner: Place = () => {
        const outer = place();
        return { path: keyPath(outer.path, key), name: `"${key}" of ${outer.name.charAt(0).toLowerCase()}${outer.name.slice(1)}` };
      };
      if (Object.prototype.hasOwnProperty.call(value, key)) {
        judgeShape(findings, value[key], property, inner);
      } else if (shape.q?.includes(key) && findings.shapeFindings < MAX_SHAPE_FINDINGS) {
        findings.shapeFindings++;
        const outer = place();
        findings.add('ANSWER_DATA_MISSING_FIELD', keyPath(outer.path, key), `${outer.name} needs "${key}"${describeShape(property)}.`);
      }
    }
  }
}

function fits(value: Json, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return true;
  }
}

function judgeSuccess(findings: Findings, request: AnswerRequestLike, data: Json): void {
  if (request.action !== 'data_exchange') {
    findings.add('ANSWER_SCREEN_NOT_ALLOWED', SCREEN_PATH,
      `"${SUCCESS_SCREEN}" completes the Flow from a data_exchange request; a${request.action === 'INIT' ? 'n' : ''} ${request.action} answer shows a screen.`);
  }
  if (data !== undefined && !isObject(data)) {
    findings.add('ANSWER_DATA_NOT_AN_OBJECT', DATA_PATH, `"data" must be {"extension_message_response": {"params": {"flow_token": ...}}}, not ${describe(data)}.`);
    return;
  }
  if (isObject(data) && Object.prototype.hasOwnProperty.call(data, ERROR_MESSAGE)) {
    findings.add('ANSWER_ERROR_MESSAGE_NOT_ALLOWED', keyPath(DATA_PATH, ERROR_MESSAGE),
      `A ${SUCCESS_SCREEN} answer closes the Flow: there is no screen left to show "error_message" on. Answer the current screen with it instead.`);
  }
  const response = isObject(data) ? data.extension_message_response : undefined;
  const params = isObject(response) ? response.params : undefined;
  const token = isObject(params) ? params.flow_token : undefined;
  const tokenPath = `${DATA_PATH}.extension_message_response.params.flow_token`;
  if (typeof token !== 'string' || token === '') {
    findings.add('ANSWER_SUCCESS_FLOW_TOKEN_MISSING', tokenPath,
      `A ${SUCCESS_SCREEN} answer must carry the request's flow token in data.extension_message_response.params.flow_token; Meta refuses to complete the Flow without it.`);
  } else if (request.flowToken !== undefined && token !== request.flowToken) {
    findings.add('ANSWER_SUCCESS_FLOW_TOKEN_MISMATCH', tokenPath,
      'The flow_token handed back is not the one of the request: the completion message will not match the customer\'s session.');
  }
}

/** "a string", "an array", "null", for a message: the kind of value, never the value (it may be customer data). */
export function describe(value: Json): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}

function article(shape: FieldShape): string {
  return /^[aeiou]/.test(shape.t ?? '') ? `an ${shape.t}` : `a ${shape.t}`;
}

/** " (an array of {id, title})", or "" for a plain type. `bare`: without the type word and parentheses. */
function describeShape(shape: FieldShape, bare = false): string {
  let text = '';
  if (shape.t === 'array' && shape.i?.t) text = ` of ${shape.i.t === 'object' && shape.i.p ? `{${Object.keys(shape.i.p).join(', ')}}` : `${shape.i.t}s`}`;
  if (shape.t === 'object' && shape.p) text = ` {${Object.keys(shape.p).join(', ')}}`;
  if (bare) return text;
  return shape.t === undefined ? '' : ` (${article(shape)}${text})`;
}
