/**
 * A Mermaid flowchart of a Flow: one node per screen, the routes between them and the terminal screens. GitHub
 * renders ```mermaid blocks in Markdown, pull requests included.
 *
 * The routes are the edges of the validator's screen graph (screen-graph.ts): solid arrows for `navigate` actions,
 * dotted arrows for routes that only the `routing_model` declares (the moves an endpoint makes with its
 * `data_exchange` responses). Terminal screens are rounded and green; a small circle points at the entry screen.
 */
import { checkFlow } from './checker';
import { Json, Reporter, ScreenInfo } from './context';

/** The Mermaid text, or undefined when the Flow JSON has no screens to draw. */
export function flowToMermaid(flow: Json): string | undefined {
  const { graph } = checkFlow(flow, new Reporter());
  if (!graph || graph.nodes.length === 0) return undefined;
  const nodeId = (screen: ScreenInfo) => `s${screen.index}`;
  const lines = ['flowchart TD'];
  for (const screen of graph.nodes) {
    const title = typeof screen.screen.title === 'string' ? screen.screen.title : '';
    const name = screen.id ?? `screens[${screen.index}]`;
    const label = escape(title && title !== name ? `${name}<br/>${title}` : name);
    lines.push(screen.terminal ? `  ${nodeId(screen)}(["${label}"])` : `  ${nodeId(screen)}["${label}"]`);
  }
  const drawn = new Set<string>();
  const navigate = new Set(graph.edges.filter(e => e.source === 'navigate').map(e => `${nodeId(e.from)}>${nodeId(e.to)}`));
  for (const edge of graph.edges) {
    const key = `${nodeId(edge.from)}>${nodeId(edge.to)}`;
    if (drawn.has(key)) continue;
    drawn.add(key);
    lines.push(navigate.has(key)
      ? `  ${nodeId(edge.from)} -->|navigate| ${nodeId(edge.to)}`
      : `  ${nodeId(edge.from)} -.->|routing_model| ${nodeId(edge.to)}`);
  }
  if (graph.entry) {
    lines.push('  start((" ")) --> ' + nodeId(graph.entry));
  }
  const terminals = graph.nodes.filter(s => s.terminal).map(nodeId);
  lines.push('  classDef terminal fill:#e7f5e9,stroke:#2e7d32');
  if (terminals.length > 0) lines.push(`  class ${terminals.join(',')} terminal`);
  return lines.join('\n');
}

/** Mermaid labels sit in double quotes: quotes become entities, and nothing can close the label early. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[\r\n]+/g, ' ');
}
