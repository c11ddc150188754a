/**
 * Rule family "screen graph": the one picture of how a Flow moves between screens. Two sources feed it: the
 * `navigate` actions on components (edges "navigate") and, for a Flow that has one, the `routing_model` (edges
 * "routing model", the moves an endpoint may make with its data_exchange responses). The entry screen, reachability
 * and cycles are decided on the union of both, so a dynamic Flow is not misread as having many entry screens.
 *
 * Source: Meta's Flow JSON reference § Routing model: "the entry screen is the screen without inbound edges; there
 * must be exactly one"; "only forward routes are allowed (no loops)"; "all screens must be connected"; and Meta's
 * error INVALID_ROUTING_MODEL ("Following screens are not connected with the rest of the screens …"), which Meta
 * also applies to Flows without a routing model by building one from their navigate actions.
 */
import { FlowContext, ScreenInfo, screenLabel } from './context';
import { keyPath } from './json-path';
import { didYouMean } from './suggest';

export type EdgeSource = 'navigate' | 'routing model';

/**
 * Error codes § Routing model errors: "Number of branches exceeds the max limit of 10 for screen" (routes of the
 * routing model; without one, the screens a screen's navigate actions lead to).
 */
export const MAX_BRANCHES_PER_SCREEN = 10;

export interface ScreenEdge {
  readonly from: ScreenInfo;
  readonly to: ScreenInfo;
  /** Where the edge is written: the navigate action's `next.name`, or the route in the routing model. */
  readonly path: string;
  readonly source: EdgeSource;
}

/** A route to a screen id that no screen has: reported as an error, and drawn (flagged) by `whatsapp-flow graph`. */
export interface DanglingEdge {
  readonly from: ScreenInfo;
  /** The screen id the route names. */
  readonly to: string;
  readonly path: string;
  readonly source: EdgeSource;
}

export class ScreenGraph {
  public readonly edges: ScreenEdge[] = [];
  /** Routes to screens that do not exist: not part of the graph's checks, kept to be drawn. */
  public readonly danglingEdges: DanglingEdge[] = [];
  /** Set by `check`: the screen the Flow starts on, when there is one. */
  public entry?: ScreenInfo;

  /** The screens of the graph: every screen with an id once (a duplicated id counts once), and screens without an id. */
  public readonly nodes: ScreenInfo[];
  /** Screens the routing model leaves out, already reported as such (not again as unreachable). */
  public readonly reportedMissing = new Set<ScreenInfo>();

  constructor(private readonly ctx: FlowContext) {
    this.nodes = ctx.screens.filter(s => s.id === undefined || ctx.byId.get(s.id) === s);
  }

  public addEdge(edge: ScreenEdge): void {
    this.edges.push(edge);
  }

  /** Adds an edge for every navigate action: reports targets that do not exist or are the screen itself. */
  public addNavigateEdges(): void {
    const ctx = this.ctx;
    for (const action of ctx.actions) {
      if (action.name !== 'navigate' || typeof action.action.next?.name !== 'string') continue;
      const to: string = action.action.next.name;
      const path = `${action.path}.next.name`;
      const target = ctx.byId.get(to);
      if (!target) {
        const known = [...ctx.byId.keys()];
        ctx.report('NAVIGATE_UNKNOWN_SCREEN', path, `No screen has id "${to}".${didYouMean(to, known)} Known screens: ${known.join(', ')}.`);
        this.danglingEdges.push({ from: action.screen, to, path, source: 'navigate' });
      } else if (target === action.screen) {
        ctx.report('NAVIGATE_SELF', path, `Screen "${to}" navigates to itself. Navigate to another screen, or use update_data.`);
      } else {
        this.addEdge({ from: action.screen, to: target, path, source: 'navigate' });
      }
    }
  }

  /** Entry screen, reachability and cycles on all edges; `reachability: false` checks cycles only. */
  public check(reachability = true): void {
    const ctx = this.ctx;
    this.checkBranches();
    const what = ctx.hasRoutingModel ? 'route (navigate action or routing model)' : 'navigate action';
    const incoming = new Set(this.edges.map(e => e.to));
    const entries = this.nodes.filter(s => !incoming.has(s));
    if (!reachability) {
      this.findCycles(this.nodes);
      return;
    }
    if (entries.length === 0) {
      ctx.report('ENTRY_SCREEN_COUNT', '$.screens',
        `Every screen is the target of a ${what}, so the Flow has no entry screen. Remove the route that leads back to the first screen.`);
    }
    this.entry = entries[0];
    const reached = this.findCycles(entries.length > 0 ? [entries[0]] : this.nodes);
    if (this.entry) {
      // More than one screen without inbound routes: the first one in "screens" is the entry. Meta asks that all
      // screens be connected (Error codes § Routing model errors: "Following screens are not connected with the rest
      // of the screens"), and a message may open a Flow on any screen, so another such screen whose routes join the
      // rest of the Flow is a second way in (a warning); screens cut off from the entry screen's part are unreachable.
      const connected = this.connectedTo(this.entry);
      for (const other of entries.slice(1)) {
        if (!connected.has(other) || this.reportedMissing.has(other)) continue;
        ctx.report('SECOND_ENTRY_SCREEN', other.path,
          `No ${what} leads to ${screenLabel(other)}, so only a message that opens the Flow on it shows it (the Flow starts on ${screenLabel(this.entry)}). Add a route to it if it is a step of the Flow.`);
        this.findCycles([other], reached);
      }
      for (const screen of this.nodes) {
        if (!reached.has(screen) && !this.reportedMissing.has(screen)) {
          ctx.report('UNREACHABLE_SCREEN', screen.path,
            `No ${what} leads from the entry screen ${screenLabel(this.entry)} to ${screenLabel(screen)}. Add a route to it, or remove the screen.`);
        }
      }
    }
  }

  private checkBranches(): void {
    const source: EdgeSource = this.ctx.hasRoutingModel ? 'routing model' : 'navigate';
    for (const screen of this.nodes) {
      const targets = new Set(this.edges.filter(e => e.from === screen && e.source === source).map(e => e.to));
      if (targets.size <= MAX_BRANCHES_PER_SCREEN) continue;
      const path = source === 'routing model' && screen.id !== undefined ? keyPath('$.routing_model', screen.id) : screen.path;
      this.ctx.report('TOO_MANY_BRANCHES', path,
        `${screenLabel(screen)} has ${targets.size} routes out of it; Meta allows at most ${MAX_BRANCHES_PER_SCREEN} a screen. Move some choices to a screen after it.`);
    }
  }

  /** The screens joined to `start` by edges in either direction. */
  private connectedTo(start: ScreenInfo): Set<ScreenInfo> {
    const seen = new Set<ScreenInfo>([start]);
    const queue = [start];
    while (queue.length > 0) {
      const screen = queue.shift()!;
      for (const edge of this.edges) {
        const other = edge.from === screen ? edge.to : edge.to === screen ? edge.from : undefined;
        if (other && !seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
    return seen;
  }

  public outgoing(screen: ScreenInfo): ScreenEdge[] {
    return this.edges.filter(e => e.from === screen);
  }

  /** Depth-first search from the roots; reports each back edge as a cycle and returns the screens reached. */
  private findCycles(roots: ScreenInfo[], done = new Set<ScreenInfo>()): Set<ScreenInfo> {
    const next = new Map<ScreenInfo, ScreenEdge[]>();
    for (const edge of this.edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge]);
    const onStack: ScreenInfo[] = [];
    const reportedAt = new Set<string>();
    const visit = (screen: ScreenInfo): void => {
      onStack.push(screen);
      for (const edge of next.get(screen) ?? []) {
        const at = onStack.indexOf(edge.to);
        if (at >= 0) {
          if (reportedAt.has(edge.path)) continue;
          reportedAt.add(edge.path);
          const loop = [...onStack.slice(at), edge.to].map(s => s.id).join(' → ');
          // Error codes § Routing model errors: "Loop detected in the routing model" is checked "in data channel flow
          // json"; for a Flow without one Meta lists only its entry screen, connection and branch checks on the routes
          // it builds from navigate actions. A loop of navigate actions there (an "Edit" link back to a form) warns.
          const navigateOnly = !this.ctx.hasRoutingModel && this.ctx.dataApiVersion === undefined;
          this.ctx.report(navigateOnly ? 'NAVIGATE_LOOP' : 'NAVIGATION_CYCLE', edge.path,
            `Routes go round in a cycle (${loop}). Flows move forward (WhatsApp adds the way back); remove this ${edge.source === 'navigate' ? 'navigate action' : 'route'}.`);
        } else if (!done.has(edge.to)) {
          visit(edge.to);
        }
      }
      onStack.pop();
      done.add(screen);
    };
    for (const root of roots) if (!done.has(root)) visit(root);
    return done;
  }
}
