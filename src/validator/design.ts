/**
 * Rule family "design": warnings from Meta's and 360dialog's Flow guidelines. They never fail a deploy, and each
 * can be silenced by code (FlowJsonValidationOptions.ignoreWarnings, `whatsapp-flow validate --ignore CODE`).
 *
 * Sources: Meta's "Best practices" for Flows (developers.facebook.com/docs/whatsapp/flows/guides/bestpractices):
 * "use sentence case for titles, headings and buttons", "the button should describe what happens next (for example
 * 'Book appointment', not 'Submit')", "keep screens short: split long forms into several screens"; 360dialog's
 * "WhatsApp Flows best practices" (docs.360dialog.com) says the same of CTAs and long forms.
 */
import { FlowContext, ScreenInfo } from './context';
import { keyPath } from './json-path';

/** More inputs than this on one screen is a long form (Meta: "split long forms"; the number is ours). */
export const MAX_INPUTS_PER_SCREEN = 10;

/** Terminal-screen CTAs that do not say what happens next. */
const VAGUE_CTAS = ['submit', 'ok', 'okay', 'click here', 'click', 'go', 'next', 'press here'];

/** Words that stay lowercase in Title Case, so their case says nothing. */
const MINOR_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'but', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with', 'your', 'our', 'my']);

export function checkDesign(ctx: FlowContext): void {
  for (const screen of ctx.screens) {
    if (typeof screen.screen.title === 'string') sentenceCase(ctx, screen.screen.title, keyPath(screen.path, 'title'), 'The screen title');
    for (const use of screen.components) {
      if (use.type === 'TextHeading' || use.type === 'TextSubheading') {
        sentenceCase(ctx, use.component.text, keyPath(use.path, 'text'), `The ${use.type}`);
      } else if (use.type === 'Footer') {
        sentenceCase(ctx, use.component.label, keyPath(use.path, 'label'), 'The Footer label');
        if (screen.terminal) vagueCta(ctx, use.component.label, keyPath(use.path, 'label'));
      }
    }
    tooManyInputs(ctx, screen);
  }
}

/**
 * Title Case: at least three words, and at least two words after the first (minor words aside) start with a
 * capital followed by lowercase letters. Acronyms ("FAQ"), ids and text with `${...}` are left alone.
 */
function sentenceCase(ctx: FlowContext, text: unknown, path: string, what: string): void {
  if (typeof text !== 'string' || text.includes('${')) return;
  const words = text.trim().split(/\s+/).filter(w => /^\p{L}/u.test(w));
  // Fewer than three words, or a brand in capitals ("TTT Financial Group"): proper nouns, not Title Case.
  if (words.length < 3 || words.some(w => /^\p{Lu}{2,}$/u.test(w))) return;
  const later = words.slice(1).filter(w => !MINOR_WORDS.has(w.toLowerCase()));
  const capitalised = later.filter(w => /^\p{Lu}\p{Ll}/u.test(w));
  if (later.length >= 2 && capitalised.length === later.length) {
    const suggestion = words[0] + ' ' + text.trim().split(/\s+/).slice(1).map(w => (/^\p{Lu}\p{Ll}+$/u.test(w) ? w.toLowerCase() : w)).join(' ');
    ctx.report('DESIGN_SENTENCE_CASE', path, `${what} "${text}" is in Title Case; Meta's guidelines ask for sentence case ("${suggestion}").`);
  }
}

function vagueCta(ctx: FlowContext, label: unknown, path: string): void {
  if (typeof label !== 'string') return;
  if (VAGUE_CTAS.includes(label.trim().replace(/[.!]+$/, '').toLowerCase())) {
    ctx.report('DESIGN_VAGUE_CTA', path,
      `"${label}" does not say what happens when the Flow ends. Name the outcome, for example "Book appointment" or "Send feedback" (at most 35 characters).`);
  }
}

function tooManyInputs(ctx: FlowContext, screen: ScreenInfo): void {
  const inputs = screen.formFields.size;
  if (inputs > MAX_INPUTS_PER_SCREEN) {
    ctx.report('DESIGN_TOO_MANY_INPUTS', screen.path,
      `The screen asks for ${inputs} inputs; more than ${MAX_INPUTS_PER_SCREEN} makes a long form. Split it over several screens.`);
  }
}
