/**
 * Meta's template JSON, built by the handler from the resource's properties once CloudFormation has resolved them:
 * CreateWhatsAppMessageTemplate takes all of it (`templateDefinition`), UpdateWhatsAppMessageTemplate the
 * components alone (`templateComponents`, at most 3000 characters).
 *
 * Source: Meta's "Template components" reference (text header, body, footer; FLOW button with `flow_id`,
 * `flow_action` and, for `navigate`, `navigate_screen`).
 */
import { TemplateResourceProperties } from './contract';

export type Json = { [key: string]: unknown };

/** The components array: header, body, footer and buttons, in Meta's order. */
export function templateComponents(p: TemplateResourceProperties): Json[] {
  const components: Json[] = [];
  if (p.Header) {
    components.push({
      type: 'HEADER',
      format: 'TEXT',
      text: p.Header,
      ...(p.HeaderExample ? { example: { header_text: [p.HeaderExample] } } : {}),
    });
  }
  const bodyExamples = p.BodyExamples ?? [];
  components.push({ type: 'BODY', text: p.Body, ...(bodyExamples.length ? { example: { body_text: [bodyExamples] } } : {}) });
  if (p.Footer) components.push({ type: 'FOOTER', text: p.Footer });
  if (p.FlowId) {
    components.push({
      type: 'BUTTONS',
      buttons: [{
        type: 'FLOW',
        text: p.ButtonText,
        flow_id: p.FlowId,
        flow_action: p.FlowAction,
        ...(p.FlowAction === 'navigate' ? { navigate_screen: p.NavigateScreen } : {}),
      }],
    });
  }
  return components;
}

/** The whole template, as CreateWhatsAppMessageTemplate takes it. */
export function templateDefinition(p: TemplateResourceProperties): Json {
  return { name: p.TemplateName, language: p.Language, category: p.Category, components: templateComponents(p) };
}
