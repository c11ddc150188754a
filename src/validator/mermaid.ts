/**
 * A Mermaid flowchart of a Flow: one node per screen, the routes between them and the terminal screens. GitHub
 * renders ```mermaid blocks in Markdown, pull requests included.
 *
 * The routes are the edges of the validator's screen graph (screen-graph.ts): solid arrows for `navigate` actions,
 * dotted arrows for routes that only the `routing_model` declares (the moves an endpoint makes with its
 * `data_exchange` responses). Terminal screens are rounded and green; a small circle points at the entry screen.
 * A route to a screen id that no screen has is drawn dashed, to a red dashed node marked "no such screen".
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
  // Routes to screens that do not exist are errors (NAVIGATE_UNKNOWN_SCREEN, ROUTING_MODEL_UNKNOWN_SCREEN); the
  // chart shows them, dashed, to a node marked missing, so the picture of a broken Flow shows where it breaks.
  const missing = new Map<string, string>();
  const navigateToMissing = new Set(graph.danglingEdges.filter(e => e.source === 'navigate').map(e => `${nodeId(e.from)}>${e.to}`));
  for (const edge of graph.danglingEdges) {
    if (!missing.has(edge.to)) {
      const id = `m${missing.size}`;
      missing.set(edge.to, id);
      lines.push(`  ${id}["${escape(edge.to)}<br/>no such screen"]`);
    }
    const key = `${nodeId(edge.from)}>${edge.to}`;
    if (drawn.has(`?${key}`)) continue;
    drawn.add(`?${key}`);
    lines.push(`  ${nodeId(edge.from)} -.->|${navigateToMissing.has(key) ? 'navigate' : 'routing_model'}| ${missing.get(edge.to)}`);
  }
  if (graph.entry) {
    lines.push('  start((" ")) --> ' + nodeId(graph.entry));
  }
  const terminals = graph.nodes.filter(s => s.terminal).map(nodeId);
  lines.push('  classDef terminal fill:#e7f5e9,stroke:#2e7d32');
  if (terminals.length > 0) lines.push(`  class ${terminals.join(',')} terminal`);
  if (missing.size > 0) {
    lines.push('  classDef missing fill:#fdecea,stroke:#c62828,stroke-dasharray:4 3');
    lines.push(`  class ${[...missing.values()].join(',')} missing`);
  }
  return lines.join('\n');
}

/** Mermaid labels sit in double quotes: quotes become entities, and nothing can close the label early. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[\r\n]+/g, ' ');
}
