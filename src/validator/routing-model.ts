/**
 * Rule family "routing model": the `routing_model` of a Flow (required with an endpoint, optional without), and
 * its agreement with the navigate actions. The model's routes become edges of the screen graph
 * (screen-graph.ts), which decides the entry screen, reachability and cycles on all edges together.
 *
 * Source: Meta's Flow JSON reference (developers.facebook.com/docs/whatsapp/flows/reference/flowjson)
 * § Routing model, "Routing rules": a route names screens of the Flow and never the screen itself; only forward
 * routes (no loops); at most 10 branches; one entry screen, the one no route leads to; all screens connected. The
 * messages of Meta's "Error codes" page (§ Routing model errors, INVALID_ROUTING_MODEL) say exactly what is checked:
 * the branch limit is per screen (screen-graph.ts counts it), and missing screens are an error in data channel Flows.
 */
import { FlowContext, isObject } from './context';
import { indexPath, keyPath } from './json-path';
import { ScreenGraph } from './screen-graph';
import { didYouMean } from './suggest';

const MODEL_PATH = '$.routing_model';

/** Checks the routing model and adds its routes to the graph; returns the edges it declares ("FROM>TO"). */
export function addRoutingModel(ctx: FlowContext, graph: ScreenGraph): Set<string> | undefined {
  const model = isObject(ctx.flow) ? ctx.flow.routing_model : undefined;
  if (model === undefined) return undefined;
  if (!isObject(model)) {
    ctx.report('ROUTING_MODEL_INVALID', MODEL_PATH,
      '"routing_model" must map each screen id to the list of screens it can go to, for example {"START": ["END"], "END": []}.');
    return undefined;
  }
  const known = [...ctx.byId.keys()];
  const declared = new Set<string>();
  for (const [key, routes] of Object.entries(model)) {
    const keyAt = keyPath(MODEL_PATH, key);
    const from = ctx.byId.get(key);
    if (!from) {
      ctx.report('ROUTING_MODEL_UNKNOWN_SCREEN', keyAt, `"${key}" is not the id of a screen.${didYouMean(key, known)} Known screens: ${known.join(', ')}.`);
    }
    if (!Array.isArray(routes)) {
      ctx.report('ROUTING_MODEL_INVALID', keyAt, `The routes of "${key}" must be a list of screen ids ([] for a screen that goes nowhere).`);
      continue;
    }
    routes.forEach((route: unknown, index: number) => {
      const routeAt = indexPath(keyAt, index);
      if (typeof route !== 'string') {
        ctx.report('ROUTING_MODEL_INVALID', routeAt, `A route is a screen id (a string), not ${JSON.stringify(route)}.`);
        return;
      }
      const to = ctx.byId.get(route);
      if (!to) {
        ctx.report('ROUTING_MODEL_UNKNOWN_SCREEN', routeAt, `"${key}" routes to "${route}", which is not the id of a screen.${didYouMean(route, known)} Known screens: ${known.join(', ')}.`);
        if (from) graph.danglingEdges.push({ from, to: route, path: routeAt, source: 'routing model' });
      } else if (route === key) {
        ctx.report('ROUTING_MODEL_SELF_ROUTE', routeAt,
          `"${key}" routes to itself. Remove the route: a screen refreshes itself through its endpoint without one.`);
      } else if (from) {
        declared.add(edgeKey(key, route));
        graph.addEdge({ from, to, path: routeAt, source: 'routing model' });
      }
    });
  }
  // Error codes § Routing model errors: "Following screens are missing in the routing model", for a Flow with a
  // data channel (data_api_version). Meta's own component examples ship "routing_model": {} with a screen, and its
  // static examples a partial model, so an empty model, or one without data_api_version, is not held to it. A screen
  // named only as a route's destination is in the model (Meta's sample of this error names a screen that appears
  // nowhere; published Flows leave a last screen out of the keys, e.g. sanuj5/challenge-box-cricket-wa flows/flow.json).
  const checked = ctx.dataApiVersion !== undefined && Object.keys(model).length > 0;
  const named = new Set(Object.keys(model));
  for (const routes of Object.values(model)) if (Array.isArray(routes)) routes.forEach(r => typeof r === 'string' && named.add(r));
  const missing = !checked ? [] : graph.nodes.filter(s => s.id !== undefined && !named.has(s.id));
  // A screen missing from the model is unreachable too; one error says it (ROUTING_MODEL_MISSING_SCREEN).
  missing.forEach(screen => graph.reportedMissing.add(screen));
  if (missing.length > 0) {
    const names = missing.map(s => `"${s.id}"`).join(', ');
    ctx.report('ROUTING_MODEL_MISSING_SCREEN', MODEL_PATH,
      `Every screen of a Flow with "data_api_version" must be in "routing_model"; ${names} ${missing.length === 1 ? 'is' : 'are'} not. Add ${missing.map(s => `"${s.id}": [...]`).join(', ')} (an empty list for a last screen).`);
  }
  return declared;
}

/** Every navigate edge must be a route of the model (Flow JSON § Routing model). */
export function checkNavigateEdgesInModel(ctx: FlowContext, graph: ScreenGraph, declared: Set<string>): void {
  for (const edge of graph.edges) {
    if (edge.source !== 'navigate' || edge.from.id === undefined || edge.to.id === undefined) continue;
    if (!declared.has(edgeKey(edge.from.id, edge.to.id))) {
      ctx.report('NAVIGATE_NOT_IN_ROUTING_MODEL', edge.path,
        `"${edge.from.id}" navigates to "${edge.to.id}", but the routing model does not list that route. Add "${edge.to.id}" to "routing_model.${edge.from.id}".`);
    }
  }
}

function edgeKey(from: string, to: string): string {
  return `${from}>${to}`;
}
