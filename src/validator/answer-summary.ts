/**
 * Makes the compact answer contract (answer-check.ts) of a Flow JSON: each screen's declared data shapes, its routes
 * in `routing_model`, the fields it sets itself with `update_data`, and the entry screens. Made at synth time (for the
 * endpoint function) and by FlowAnswerContract; it is a few hundred bytes for a typical Flow, not the Flow JSON.
 */
import { FieldShape, FlowContract, ScreenContract } from './answer-check';
import { checkFlow } from './checker';
import { Json, Reporter, isObject } from './context';

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** The contract of a parsed Flow JSON; undefined when it has no screens to read. */
export function summarizeFlow(definition: Json): FlowContract | undefined {
  const { context, graph } = checkFlow(definition, new Reporter());
  if (!graph) return undefined;
  // An empty routing_model (Meta's component examples ship one) says nothing about routes: every move is allowed.
  const declaredModel = isObject(definition) ? definition.routing_model : undefined;
  const model = isObject(declaredModel) && Object.keys(declaredModel).length > 0 ? declaredModel : undefined;
  const selfSet = new Map<string, Set<string>>();
  for (const action of context.actions) {
    if (action.name !== 'update_data' || !isObject(action.action.payload) || action.screen.id === undefined) continue;
    const fields = selfSet.get(action.screen.id) ?? new Set<string>();
    Object.keys(action.action.payload).forEach(name => fields.add(name));
    selfSet.set(action.screen.id, fields);
  }
  const screens: Record<string, ScreenContract> = {};
  for (const [id, info] of context.byId) {
    const declared = isObject(info.screen.data) ? info.screen.data : {};
    const d: Record<string, FieldShape> = {};
    for (const [name, schema] of Object.entries(declared)) d[name] = shapeOf(schema);
    const routes = model?.[id];
    const r = model === undefined ? undefined : Array.isArray(routes) ? routes.filter((x: unknown): x is string => typeof x === 'string') : [];
    const u = selfSet.get(id);
    screens[id] = { d, ...(r !== undefined ? { r } : {}), ...(u ? { u: [...u] } : {}) };
  }
  const incoming = new Set(graph.edges.map(edge => edge.to.id));
  const entries = graph.nodes.filter(node => node.id !== undefined && !incoming.has(node.id)).map(node => node.id!);
  return { s: screens, e: entries };
}

/** The compact shape of one declared field (JSON schema `type`, `items`, `properties`, `required`). */
function shapeOf(schema: Json): FieldShape {
  if (!isObject(schema) || typeof schema.type !== 'string' || !TYPES.has(schema.type)) return {};
  const t: string = schema.type;
  const shape: { t: string; i?: FieldShape; p?: Record<string, FieldShape>; q?: string[] } = { t };
  if (t === 'array' && isObject(schema.items)) shape.i = shapeOf(schema.items);
  if (t === 'object' && isObject(schema.properties)) {
    const properties: Record<string, FieldShape> = {};
    for (const [key, property] of Object.entries(schema.properties)) properties[key] = shapeOf(property);
    shape.p = properties;
    // JSON schema's `required`; without it, the `id` and `title` of a data-source item, which every component
    // that lists items (Dropdown, RadioButtonsGroup, CheckboxGroup, ChipsSelector) requires (Components § data-source).
    const required = Array.isArray(schema.required) ? schema.required.filter((k: unknown): k is string => typeof k === 'string' && k in properties)
      : 'id' in properties && 'title' in properties ? ['id', 'title'] : [];
    if (required.length > 0) shape.q = required;
  }
  return shape;
}
