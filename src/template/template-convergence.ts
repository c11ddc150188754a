/**
 * Converge, don't diff: how the template the properties declare differs from the template Meta holds.
 *
 * GetWhatsAppMessageTemplate answers with Meta's template JSON, whose components echo what was sent with more:
 * fields Meta fills in (an `id`, a `parameter_format`, examples of its own), its own key order, and enum values and
 * ids in its own spelling (`"flow_action": "NAVIGATE"`, a numeric `flow_id`). So only what this library sends is
 * compared: each declared component against Meta's component of the same type, each declared field against Meta's
 * field of that name (fields Meta adds are ignored), scalars as text, and the enum fields (`type`, `format`,
 * `flow_action`) without regard to case. A component type that Meta holds and the properties do not declare (a
 * footer that was removed, say) is a difference.
 *
 * The differences are named by component type only: they are logged, and a template's text never is.
 */
import { Json } from './template-definition';

/** Fields whose values Meta may echo in another case. */
const ENUM_FIELDS = new Set(['type', 'format', 'flow_action']);

const typeOf = (component: unknown): string =>
  component && typeof component === 'object' && typeof (component as Json).type === 'string' ? ((component as Json).type as string).toUpperCase() : '?';

/** Whether Meta's value holds everything the declared value says (Meta's extra fields are not compared). */
function holds(declared: unknown, meta: unknown, field?: string): boolean {
  if (declared === undefined || declared === null) return true;
  if (Array.isArray(declared)) {
    return Array.isArray(meta) && meta.length === declared.length && declared.every((d, i) => holds(d, meta[i]));
  }
  if (typeof declared === 'object') {
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return false;
    return Object.entries(declared as Json).every(([key, value]) => holds(value, (meta as Json)[key], key));
  }
  if (meta === undefined || meta === null || typeof meta === 'object') return false;
  const [a, b] = [String(declared), String(meta)];
  return field && ENUM_FIELDS.has(field) ? a.toUpperCase() === b.toUpperCase() : a === b;
}

/**
 * The component types in which Meta's components differ from the declared ones; empty when Meta holds what is
 * declared. Undefined when Meta reported no components to compare with.
 */
export function componentDifferences(declared: Json[], meta: unknown): string[] | undefined {
  if (!Array.isArray(meta)) return undefined;
  const metaByType = new Map<string, unknown>();
  for (const component of meta) metaByType.set(typeOf(component), component);
  const out: string[] = [];
  for (const component of declared) {
    const type = typeOf(component);
    if (!metaByType.has(type)) out.push(`${type} (not at Meta)`);
    else if (!holds(component, metaByType.get(type))) out.push(type);
  }
  const declaredTypes = new Set(declared.map(typeOf));
  for (const type of metaByType.keys()) {
    if (!declaredTypes.has(type)) out.push(`${type} (not declared)`);
  }
  return out;
}

/** Whether Meta's category is the declared one; undefined when Meta reported none. */
export function sameCategory(declared: string, meta: string | undefined): boolean | undefined {
  return meta === undefined ? undefined : declared.toUpperCase() === meta.toUpperCase();
}
