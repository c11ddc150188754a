/**
 * The checks Meta makes of a message template's text, run twice with one code: by the construct at synth time on
 * every part that is not a token, and by the handler at deploy time on all of them, once CloudFormation has
 * resolved the tokens. Pure functions: the handler bundles this file and nothing of aws-cdk-lib.
 *
 * Source: Meta's "Template components" reference (developers.facebook.com/docs/whatsapp/business-management-api/
 * message-templates/components): text header at most 60 characters and 1 variable, body at most 1024 characters,
 * footer at most 60 characters and no variables, Flow button label at most 25 characters; variables are `{{1}}`,
 * `{{2}}`, … and each needs a sample value at creation. Template names: "Maximum 512 characters", lowercase
 * letters, digits and underscores (message-templates § Create).
 */
import { TEMPLATE_LANGUAGES } from './languages';

export const MAX_TEMPLATE_NAME_LENGTH = 512;
export const MAX_BODY_LENGTH = 1024;
export const MAX_HEADER_LENGTH = 60;
export const MAX_FOOTER_LENGTH = 60;
export const MAX_BUTTON_TEXT_LENGTH = 25;

const TEMPLATE_NAME = /^[a-z0-9_]+$/;
const VARIABLE = /\{\{([^{}]*)\}\}/g;
const POSITIONAL = /^[1-9][0-9]*$/;

/** The parts of a template that Meta checks, as the user wrote them (or as CloudFormation resolved them). */
export interface TemplateText {
  readonly templateName: string;
  readonly language: string;
  readonly body: string;
  readonly bodyExamples?: readonly string[];
  readonly header?: string;
  readonly headerExample?: string;
  readonly footer?: string;
  readonly buttonText?: string;
}

/** Length in characters as a person counts them (an emoji is one), not in UTF-16 code units. */
export function characters(text: string): number {
  return Array.from(text).length;
}

/** The variables of a text in order of appearance, as written between the braces. */
export function variablesOf(text: string): string[] {
  return Array.from(text.matchAll(VARIABLE), (m) => m[1]);
}

/**
 * Every problem with the template's text, each a sentence that says what to change. `isToken` says which values are
 * not known yet (synth time): those, and what depends on them, are left to the deploy.
 */
export function templateProblems(t: TemplateText, isToken: (value: unknown) => boolean = () => false): string[] {
  const problems: string[] = [];
  const known = (value: unknown): boolean => value !== undefined && !isToken(value);

  if (known(t.templateName)) {
    if (characters(t.templateName) > MAX_TEMPLATE_NAME_LENGTH || !TEMPLATE_NAME.test(t.templateName)) {
      problems.push(`templateName '${t.templateName}' must be 1 to ${MAX_TEMPLATE_NAME_LENGTH} lowercase letters, digits and underscores `
        + `(for example '${suggestedName(t.templateName)}')`);
    }
  }
  if (known(t.language) && !TEMPLATE_LANGUAGES.has(t.language)) {
    const normalized = t.language.replace('-', '_').toLowerCase();
    const exact = [...TEMPLATE_LANGUAGES].filter((code) => code.toLowerCase() === normalized);
    const near = exact.length ? exact : [...TEMPLATE_LANGUAGES].filter((code) => code.split('_')[0] === normalized.split('_')[0]);
    problems.push(`language '${t.language}' is not a locale Meta accepts for templates`
      + (near.length ? ` (did you mean ${near.slice(0, 4).map((c) => `'${c}'`).join(', ')}?)` : '')
      + '; see Meta\'s list of supported languages');
  }
  problems.push(...lengthProblem('body', t.body, 1, MAX_BODY_LENGTH, known));
  problems.push(...lengthProblem('header', t.header, 1, MAX_HEADER_LENGTH, known));
  problems.push(...lengthProblem('footer', t.footer, 1, MAX_FOOTER_LENGTH, known));
  problems.push(...lengthProblem('the button text', t.buttonText, 1, MAX_BUTTON_TEXT_LENGTH, known));

  if (known(t.body)) {
    const examples = t.bodyExamples === undefined ? [] : isToken(t.bodyExamples) ? undefined : t.bodyExamples;
    problems.push(...variableProblems('body', t.body, examples, 'bodyExamples'));
  }
  if (known(t.header)) {
    const examples = isToken(t.headerExample) ? undefined : t.headerExample === undefined ? [] : [t.headerExample];
    const variables = variablesOf(t.header!);
    if (variables.length > 1) {
      problems.push(`header has ${variables.length} variables; a text header has at most one, {{1}}`);
    } else {
      problems.push(...variableProblems('header', t.header!, examples, 'headerExample'));
    }
  } else if (t.header === undefined && t.headerExample !== undefined) {
    problems.push('headerExample is given without a header');
  }
  if (known(t.footer) && variablesOf(t.footer!).length > 0) {
    problems.push('footer holds a variable ({{…}}); a footer is fixed text');
  }
  return problems;
}

function lengthProblem(what: string, text: string | undefined, min: number, max: number, known: (v: unknown) => boolean): string[] {
  if (!known(text)) return [];
  const length = characters(text!);
  if (length >= min && length <= max) return [];
  return [`${what} must be ${min} to ${max} characters long, not ${length}`];
}

/**
 * Variables are `{{1}}`, `{{2}}`, … numbered from 1 without gaps, and each has exactly one sample value (Meta shows
 * the samples to its reviewers). `examples` is undefined when it is a token: only the variables are checked then.
 */
function variableProblems(what: string, text: string, examples: readonly string[] | undefined, examplesProp: string): string[] {
  const variables = variablesOf(text);
  const named = variables.filter((v) => !POSITIONAL.test(v));
  if (named.length) {
    return [`${what} holds ${named.map((v) => `{{${v}}}`).join(', ')}: variables are numbered, {{1}}, {{2}}, …`];
  }
  const numbers = [...new Set(variables.map(Number))].sort((a, b) => a - b);
  const problems: string[] = [];
  const gaps = numbers.length ? Array.from({ length: numbers[numbers.length - 1] }, (_, i) => i + 1).filter((n) => !numbers.includes(n)) : [];
  if (gaps.length) {
    problems.push(`${what} variables must be numbered from {{1}} without gaps: ${gaps.map((n) => `{{${n}}}`).join(', ')} `
      + `${gaps.length === 1 ? 'is' : 'are'} missing`);
  }
  if (examples !== undefined && examples.length !== numbers.length) {
    problems.push(numbers.length === 0
      ? `${examplesProp} gives ${examples.length} sample value(s), but ${what} has no variables`
      : `${what} has ${numbers.length} variable(s) and ${examplesProp} gives ${examples.length} sample value(s): `
        + `give one for each of ${numbers.map((n) => `{{${n}}}`).join(', ')}, in order`);
  }
  if (examples?.some((e) => typeof e === 'string' && e.trim() === '')) {
    problems.push(`${examplesProp} holds an empty sample value; Meta's reviewers need a realistic one`);
  }
  return problems;
}

function suggestedName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, MAX_TEMPLATE_NAME_LENGTH);
  return cleaned || 'order_feedback';
}
