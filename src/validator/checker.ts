/**
 * Runs the rule families over one Flow JSON, in order. Each family lives in its own file:
 *
 * | family                      | file               |
 * | --------------------------- | ------------------ |
 * | document and versions       | document.ts        |
 * | components and actions      | component-rules.ts |
 * | screens                     | screens.ts         |
 * | dynamic Flows (endpoint)    | dynamic.ts         |
 * | routing model               | routing-model.ts   |
 * | screen graph                | screen-graph.ts    |
 * | data model and references   | data-model.ts      |
 * | design (warnings)           | design.ts          |
 */
import { checkComponents } from './component-rules';
import { FlowContext, Json, Reporter } from './context';
import { checkDataModel } from './data-model';
import { checkDesign } from './design';
import { checkDocument } from './document';
import { checkDynamic } from './dynamic';
import { addRoutingModel, checkNavigateEdgesInModel } from './routing-model';
import { ScreenGraph } from './screen-graph';
import { checkScreens } from './screens';

export interface CheckedFlow {
  readonly context: FlowContext;
  /** Undefined when the document has no screens to draw. */
  readonly graph?: ScreenGraph;
}

export function checkFlow(flow: Json, reporter: Reporter): CheckedFlow {
  const context = new FlowContext(flow, reporter);
  if (!checkDocument(context)) return { context };
  checkComponents(context);
  checkScreens(context);
  checkDynamic(context);
  const graph = new ScreenGraph(context);
  const routes = addRoutingModel(context, graph);
  graph.addNavigateEdges();
  if (routes) checkNavigateEdgesInModel(context, graph, routes);
  // A routing model that is not a map says nothing about the routes: judge the entry screen and reachability
  // only when every route is known.
  const modelUnreadable = context.hasRoutingModel && routes === undefined;
  graph.check(!modelUnreadable);
  checkDataModel(context);
  checkDesign(context);
  return { context, graph };
}
