/**
 * Synth-time checks of a FLOW button against its Flow, when the Flow is a WhatsAppFlow of this app: only a published
 * Flow can be sent; a `navigate` button opens the Flow on a screen of its Flow JSON that the Flow can navigate to (the
 * entry screen or one its routes reach: the validator's screen graph of navigate actions and routing model); a
 * dynamic Flow (data_api_version, data_exchange actions) opens with `data_exchange`, so that its endpoint picks the
 * first screen and its data.
 */
import { Token } from 'aws-cdk-lib';
import { FlowAction, FlowButton } from './flow-button';
import { WhatsAppFlow } from '../flow/whatsapp-flow';
import { checkFlow } from '../validator/checker';
import { Reporter } from '../validator/context';
import { flowJsonNeedsEndpoint } from '../validator/dynamic';
import { didYouMean } from '../validator/suggest';

export interface FlowButtonFindings {
  readonly errors: string[];
  readonly warnings: string[];
}

/** What is wrong with the button, as sentences naming the Flow; warnings where nothing can be checked. */
export function checkFlowButton(button: FlowButton): FlowButtonFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const flow = button.flow;
  if (!(flow instanceof WhatsAppFlow)) {
    warnings.push(`the FLOW button opens a Flow made elsewhere (${flow.node.path}): its screens and status are not checked at synth time`);
    return { errors, warnings };
  }
  const declared = flow._declared;
  if (!declared.publish) {
    errors.push(`the FLOW button opens ${flow.node.path}, which is declared with publish: false; only a published Flow can be sent: `
      + 'set publish: true on the WhatsAppFlow');
  }
  if (!declared.flowJson) {
    warnings.push(`${flow.node.path} has no Flow JSON of its own (a clone): the button's screen is not checked at synth time`);
    return { errors, warnings };
  }
  let document: unknown;
  try {
    document = JSON.parse(declared.flowJson.text.replace(/^\uFEFF/, ''));
  } catch {
    // The Flow itself reports JSON that does not parse.
    return { errors, warnings };
  }
  const source = declared.flowJson.source;
  const dynamic = flowJsonNeedsEndpoint(document);
  if (dynamic && button.action === FlowAction.NAVIGATE) {
    errors.push(`${flow.node.path} is a dynamic Flow (its Flow JSON ${source} talks to an endpoint), so its button's action is `
      + 'data_exchange: the endpoint answers the INIT request with the first screen and its data. '
      + 'Use FlowButton.dataExchange(flow, { text })');
  }
  if (!dynamic && button.action === FlowAction.DATA_EXCHANGE) {
    errors.push(`${flow.node.path} is a static Flow (its Flow JSON ${source} has no endpoint), so there is no endpoint to exchange data `
      + 'with: use FlowButton.navigate(flow, { text, screen })');
  }
  if (button.action === FlowAction.NAVIGATE && button.screen !== undefined && !Token.isUnresolved(button.screen)) {
    errors.push(...screenProblems(document, button.screen, `${flow.node.path} (${source})`));
  }
  return { errors, warnings };
}

/** The screen exists and is the entry screen or one the Flow's routes reach from it. */
function screenProblems(document: unknown, screen: string, flowName: string): string[] {
  const { graph } = checkFlow(document, new Reporter());
  const ids = (graph?.nodes ?? []).map((s) => s.id).filter((id): id is string => typeof id === 'string');
  if (!ids.includes(screen)) {
    return [`the button's screen '${screen}' is not a screen of ${flowName}.${didYouMean(screen, ids)} Its screens: ${ids.join(', ')}`];
  }
  if (!graph?.entry) return [];
  const reached = new Set<string>([graph.entry.id!]);
  for (let grew = true; grew;) {
    grew = false;
    for (const edge of graph.edges) {
      if (edge.from.id !== undefined && reached.has(edge.from.id) && edge.to.id !== undefined && !reached.has(edge.to.id)) {
        reached.add(edge.to.id);
        grew = true;
      }
    }
  }
  if (!reached.has(screen)) {
    return [`the button's screen '${screen}' cannot be navigated to in ${flowName}: no route leads to it from the entry screen `
      + `'${graph.entry.id}'. Open the Flow on '${graph.entry.id}' or on a screen its routes reach`];
  }
  return [];
}
