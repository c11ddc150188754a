/**
 * Whether Flow JSON is "dynamic": it talks to a Flow endpoint (Meta's "Implementing Endpoints for Flows").
 *
 * Meta's Flow JSON reference ("Top level Flow JSON properties"): `data_api_version` "is required if you use
 * data_exchange action" and makes the Flow use the data channel; a `data_exchange` action sends data to the
 * endpoint. A `routing_model` alone does not call the endpoint, but a routing model whose Flow moves screens with
 * `data_exchange` does. This module is internal: the construct calls it for the synth rule "dynamic Flow JSON
 * without an endpoint is an error".
 */

/** Action properties that may hold a `data_exchange` action, on a component or on a `data-source` item. */
export const ACTION_PROPERTIES = ['on-click-action', 'on-select-action', 'on-unselect-action'] as const;

/**
 * True when the Flow JSON needs a Flow endpoint: it declares `data_api_version`, or it has a `data_exchange` action
 * anywhere (which covers a `routing_model` whose screens move through the endpoint), or a screen that asks the
 * endpoint to refresh it (`refresh_on_back: true`). Anything that is not a Flow JSON object is not dynamic.
 */
export function flowJsonNeedsEndpoint(flow: unknown): boolean {
  if (!isObject(flow)) return false;
  if (flow.data_api_version !== undefined) return true;
  const screens = Array.isArray(flow.screens) ? flow.screens : [];
  if (screens.some(screen => isObject(screen) && screen.refresh_on_back === true)) return true;
  return screens.some(screen => isObject(screen) && containsDataExchange(screen.layout));
}

/** Walks a value (components, branches, items) for an action object named `data_exchange`. */
function containsDataExchange(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsDataExchange);
  if (!isObject(value)) return false;
  for (const property of ACTION_PROPERTIES) {
    const action = value[property];
    if (isObject(action) && action.name === 'data_exchange') return true;
  }
  return Object.values(value).some(item => typeof item === 'object' && item !== null && containsDataExchange(item));
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
