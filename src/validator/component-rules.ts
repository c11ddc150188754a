/**
 * Rule family "components": each component, property and action of a screen, per Flow JSON version, and the
 * per-screen limits. The data is in components.ts; this file walks one screen and applies it. It also collects
 * what the later families need: input names, actions (navigate edges among them) and `${...}` references.
 *
 * Source: Meta's "Flow JSON components" and "Media upload components" references, and "Flow JSON" § Actions.
 */
import {
  ACTIONS, ACTION_PROPERTIES, ActionName, BRANCH_CHIPS_SELECTOR_VERSION, CHILD_LIST_PROPERTIES, COMPONENTS, ComponentSpec,
  DATA_SOURCE_ITEM_SOFT_LIMITS, EXCLUSIVE_COMPONENTS, IF_BRANCH_COMPONENTS, INPUT_COMPONENTS, MAX_COMPONENTS_PER_SCREEN,
  MAX_IF_NESTING, MAX_IMAGE_CAROUSELS_PER_FLOW, MIN_MAX_PAIRS, SWITCH_CASE_COMPONENTS, VALUE_RANGES,
} from './components';
import { FlowContext, Json, ScreenInfo, isObject } from './context';
import { indexPath, keyPath } from './json-path';
import { didYouMean } from './suggest';
import { FEATURE_VERSIONS, isAtLeast } from './versions';

/** Properties that are expressions by design (since 4.0), not text. */
const EXPRESSION_PROPERTIES = ['condition', 'value'];
/**
 * Base64 image properties (Image and ImageCarousel `src`, data-source item `image`). Meta's Flow JSON schema gives
 * them a base64 string type without the 6.0 "not blank" pattern that its text and string properties carry
 * (WAFlowJSONSchemaUtils: getBase64StringBindingSchemaType), so a blank one is not an EMPTY_TEXT error.
 */
const BASE64_PROPERTIES = ['src', 'image'];
/** Meta's Flow JSON schema (WAFlowJSONSwitchComponentSchema, its `cases` property names): a letter, then letters,
 * digits, "-" or "_". A case named after an item id such as "1" is refused. */
const SWITCH_CASE_KEY = /^[a-zA-Z][a-zA-Z0-9_-]*$/;

/** Per-screen tally; If/Switch branches are alternatives, so a branch counts as its largest alternative. */
export interface Tally {
  total: number;
  byType: Map<string, number>;
}

/** Checks every screen's layout and components. */
export function checkComponents(ctx: FlowContext): void {
  for (const screen of ctx.screens) checkScreenLayout(ctx, screen);
  const carousels = ctx.screens.flatMap(s => s.components.filter(c => c.type === 'ImageCarousel'));
  if (carousels.length > MAX_IMAGE_CAROUSELS_PER_FLOW) {
    ctx.report('COMPONENT_LIMIT_EXCEEDED', carousels[MAX_IMAGE_CAROUSELS_PER_FLOW].path,
      `The Flow has ${carousels.length} ImageCarousel components; at most ${MAX_IMAGE_CAROUSELS_PER_FLOW} are allowed in a Flow. Use Image, or fewer carousels.`);
  }
}

function checkScreenLayout(ctx: FlowContext, screen: ScreenInfo): void {
  const layout = screen.screen.layout;
  const layoutPath = keyPath(screen.path, 'layout');
  if (!isObject(layout) || layout.type !== 'SingleColumnLayout' || !Array.isArray(layout.children)) {
    ctx.report('INVALID_LAYOUT', layoutPath, 'Set "layout" to {"type": "SingleColumnLayout", "children": [ ...components ]}.');
    return;
  }
  const childrenPath = keyPath(layoutPath, 'children');
  const tally = new ScreenWalk(ctx, screen).components(layout.children, childrenPath, 0, new Set());

  if (tally.total > MAX_COMPONENTS_PER_SCREEN) {
    ctx.report('TOO_MANY_COMPONENTS', childrenPath,
      `The screen has ${tally.total} components; the limit is ${MAX_COMPONENTS_PER_SCREEN}. Split it into more screens.`);
  }
  for (const [type, count] of tally.byType) {
    const max = COMPONENTS[type]?.perScreenMax;
    if (max !== undefined && count > max) {
      ctx.report('COMPONENT_LIMIT_EXCEEDED', childrenPath, `The screen has ${count} ${type} components; at most ${max} allowed. Remove ${count - max} or move them to another screen.`);
    }
  }
  const lists = screen.components.filter(c => c.type === 'NavigationList');
  if (lists.length > 0) {
    const others = screen.components.filter(c => c.type !== 'NavigationList');
    if (screen.terminal || others.length > 0) {
      ctx.report('NAVIGATION_LIST_PLACEMENT', lists[0].path, screen.terminal
        ? 'A NavigationList cannot be on a terminal screen. Put it on a screen of its own before the last one.'
        : `A NavigationList cannot share its screen with other components (here: ${[...new Set(others.map(o => o.type))].join(', ')}). Give it a screen of its own.`);
    }
  }
  if (screen.components.some(c => c.type === 'Form')) {
    for (const use of screen.components) {
      if (INPUT_COMPONENTS.includes(use.type) && !use.inForm) {
        ctx.report('INPUT_OUTSIDE_FORM', use.path, `This screen has a Form, so the ${use.type} must be inside it. Move it into the Form's "children".`);
      }
    }
  }
  for (const [a, b] of EXCLUSIVE_COMPONENTS) {
    if (tally.byType.has(a) && tally.byType.has(b)) {
      ctx.report('EXCLUSIVE_COMPONENTS', childrenPath, `${a} and ${b} cannot be on the same screen. Move one to another screen.`);
    }
  }
}

/** Walks one screen's components, reporting component rules and collecting fields, actions and references. */
class ScreenWalk {
  /** How many Forms the walk is inside. */
  private formDepth = 0;
  /** The branch the walk is in: an If's then/else, a Switch case, or none. */
  private branch: 'If' | 'Switch' | undefined;

  constructor(private readonly ctx: FlowContext, private readonly screen: ScreenInfo) {}

  /** Checks a list of components; `names` holds the field names already used in this scope. */
  public components(list: Json, path: string, ifDepth: number, names: Set<string>): Tally {
    const tally: Tally = { total: 0, byType: new Map() };
    if (!Array.isArray(list)) {
      this.ctx.report('NOT_AN_OBJECT', path, 'Expected a list of components.');
      return tally;
    }
    list.forEach((component, index) => addTally(tally, this.component(component, indexPath(path, index), ifDepth, names)));
    return tally;
  }

  private component(component: Json, path: string, ifDepth: number, names: Set<string>): Tally {
    const tally: Tally = { total: 1, byType: new Map() };
    if (!isObject(component)) {
      this.ctx.report('NOT_AN_OBJECT', path, 'Each component must be a JSON object with a "type".');
      return tally;
    }
    const type = component.type;
    const spec: ComponentSpec | undefined = typeof type === 'string' ? COMPONENTS[type] : undefined;
    if (!spec) {
      this.ctx.report('UNKNOWN_COMPONENT', keyPath(path, 'type'),
        `${JSON.stringify(type)} is not a Flow JSON component.${didYouMean(type, Object.keys(COMPONENTS))} Known components: ${Object.keys(COMPONENTS).join(', ')}.`);
      return tally;
    }
    tally.byType.set(type, 1);
    this.screen.components.push({ type, path, component, inForm: this.formDepth > 0 });
    this.branchRules(type, path, ifDepth);
    const version = this.ctx.version;
    if (!isAtLeast(version, spec.minVersion)) {
      this.ctx.report('COMPONENT_NOT_IN_VERSION', path, `${type} needs Flow JSON version ${spec.minVersion} or later; this Flow is ${version}. Raise "version" or use another component.`);
    }
    for (const required of spec.required) {
      if (component[required] === undefined && isAtLeast(version, spec.requiredFrom?.[required])) {
        this.ctx.report('MISSING_PROPERTY', path, `${type} needs "${required}".`);
      }
    }
    for (const [key, value] of Object.entries(component)) {
      if (key === 'type') continue;
      this.property(spec, type, key, value, keyPath(path, key));
    }
    if (spec.required.includes('name') && type !== 'Form' && typeof component.name === 'string') {
      if (names.has(component.name)) {
        this.ctx.report('DUPLICATE_FIELD_NAME', keyPath(path, 'name'), `Another input on this screen is already named "${component.name}". Names must be unique.`);
      }
      names.add(component.name);
      if (!this.screen.formFields.has(component.name)) this.screen.formFields.set(component.name, { name: component.name, component: type, path });
    }
    if (spec.itemsProperty) this.items(spec, component[spec.itemsProperty], keyPath(path, spec.itemsProperty), type);
    if (spec.itemRequired) this.itemShape(spec, component, path, type);
    if (this.formDepth > 0 && INPUT_COMPONENTS.includes(type)) {
      for (const key of ['init-value', 'error-message']) {
        if (component[key] !== undefined) {
          this.ctx.report('FORM_PROPERTY_INSIDE_FORM', keyPath(path, key),
            `"${key}" only works on an input outside a Form. Inside one, set it in the Form's "${key === 'init-value' ? 'init-values' : 'error-messages'}" instead.`);
        }
      }
    }
    for (const [property, count] of Object.entries(spec.itemCount ?? {})) {
      const list = component[property];
      if (Array.isArray(list) && (list.length < count.min || list.length > count.max)) {
        this.ctx.report('ITEM_COUNT', keyPath(path, property),
          `${type} "${property}" has ${list.length} items; Meta allows ${count.min} to ${count.max}. ${list.length > count.max ? 'Remove some or split them over screens.' : 'Add items.'}`);
      }
    }

    this.limits(type, component, path);
    if (type === 'Form') {
      this.formDepth++;
      addTally(tally, this.components(component.children, keyPath(path, 'children'), ifDepth, names));
      this.formDepth--;
    } else if (type === 'If') {
      addTally(tally, this.ifBranches(component, path, ifDepth + 1, names));
    } else if (type === 'Switch') {
      addTally(tally, this.switchCases(component.cases, keyPath(path, 'cases'), ifDepth, names));
    }
    return tally;
  }

  private property(spec: ComponentSpec, type: string, key: string, value: Json, path: string): void {
    const known = [...spec.required, ...spec.optional];
    if (!known.includes(key)) {
      this.ctx.report('UNKNOWN_PROPERTY', path, `${type} has no property "${key}". Remove it.${didYouMean(key, known)}`);
      return;
    }
    const version = this.ctx.version;
    const since = spec.propertyVersions?.[key];
    if (!isAtLeast(version, since)) {
      this.ctx.report('PROPERTY_NOT_IN_VERSION', path, `"${key}" on ${type} needs Flow JSON version ${since} or later; this Flow is ${version}. Raise "version" or remove it.`);
    }
    const allowed = spec.enumValues?.[key];
    if (allowed && typeof value === 'string' && !value.includes('${') && !allowed.includes(value)) {
      this.ctx.report('INVALID_PROPERTY_VALUE', path, `"${key}" on ${type} takes ${allowed.map(v => `"${v}"`).join(', ')}, not ${JSON.stringify(value)}.${didYouMean(value, allowed)}`);
    }
    if (spec.actions?.[key]) {
      this.action(value, path, spec.actions[key], type, key);
    } else if (!CHILD_LIST_PROPERTIES.includes(key) && !(type === 'Switch' && key === 'cases')) {
      const isText = (!EXPRESSION_PROPERTIES.includes(key) || !['If', 'Switch'].includes(type)) && !BASE64_PROPERTIES.includes(key);
      this.values(value, path, isText, key, key === spec.itemsProperty);
      const limit = spec.softTextLimits?.[key];
      if (limit !== undefined) this.softLimit(value, path, limit, `${type} "${key}"`);
    }
  }

  /** Components reference § If, § Switch: what a branch may hold, and a Footer only in a first-level If. */
  private branchRules(type: string, path: string, ifDepth: number): void {
    if (!this.branch) return;
    const allowed = this.branch === 'If' ? IF_BRANCH_COMPONENTS : SWITCH_CASE_COMPONENTS;
    const chips = type === 'ChipsSelector' && isAtLeast(this.ctx.version, BRANCH_CHIPS_SELECTOR_VERSION);
    if (!allowed.includes(type) && !chips) {
      this.ctx.report('COMPONENT_NOT_ALLOWED_IN_BRANCH', path,
        `${type} cannot be inside ${this.branch === 'If' ? 'an If' : 'a Switch case'}${type === 'ChipsSelector' ? ` before Flow JSON ${BRANCH_CHIPS_SELECTOR_VERSION}` : ''}. Allowed: ${allowed.join(', ')}. Move it out of the ${this.branch}.`);
    }
    if (type === 'Footer' && ifDepth > 1) {
      this.ctx.report('IF_FOOTER_BRANCHES', path, 'A Footer can be inside an If only at the first level, not in a nested If. Move it to the outer If.');
    }
  }

  /** Required keys of list items (ImageCarousel images, NavigationList items), badges and `end` add-ons. */
  private itemShape(spec: ComponentSpec, component: Json, path: string, type: string): void {
    const property = spec.itemsProperty ?? 'images';
    const items = component[property];
    if (!Array.isArray(items)) return;
    let badges = 0;
    items.forEach((item, index) => {
      if (!isObject(item)) return;
      const itemPath = indexPath(keyPath(path, property), index);
      for (const key of spec.itemRequired ?? []) {
        if (item[key] === undefined) this.ctx.report('MISSING_PROPERTY', itemPath, `Each ${type} item needs "${key}".`);
      }
      if (type !== 'NavigationList') return;
      if (item.badge !== undefined && ++badges === 2) {
        this.ctx.report('INVALID_PROPERTY_COMBINATION', keyPath(itemPath, 'badge'), 'Only one item of a NavigationList can have a "badge". Remove this one.');
      }
      if (item.end !== undefined && component['media-size'] === 'large') {
        this.ctx.report('INVALID_PROPERTY_COMBINATION', keyPath(itemPath, 'end'), 'An item "end" cannot be used with "media-size": "large". Remove one of them.');
      }
    });
    if (type === 'NavigationList') {
      const onList = component['on-click-action'] !== undefined;
      const onItems = items.filter(i => isObject(i) && i['on-click-action'] !== undefined).length;
      if (onList && onItems > 0) {
        this.ctx.report('NAVIGATION_LIST_ACTION', keyPath(path, 'on-click-action'), 'Set "on-click-action" on the NavigationList or on its items, not both.');
      } else if (!onList && onItems < items.length) {
        this.ctx.report('NAVIGATION_LIST_ACTION', path, 'A NavigationList needs an "on-click-action": on the list, or on every item.');
      }
    }
  }

  /** Numbers in range, min not above max, Footer captions, If conditions (Meta's "Error codes" page). */
  private limits(type: string, component: Json, path: string): void {
    if (type === 'TextInput' && component.pattern !== undefined) {
      if (component['helper-text'] === undefined) {
        this.ctx.report('MISSING_PROPERTY', path, 'A TextInput with "pattern" needs "helper-text" that tells people the expected format.');
      }
      if (component['input-type'] === 'email' || component['input-type'] === 'phone') {
        this.ctx.report('INVALID_PROPERTY_COMBINATION', keyPath(path, 'pattern'), `"pattern" works with input-type text, number, password or passcode, not ${component['input-type']}.`);
      }
    }
    if (type === 'Dropdown' && Array.isArray(component['data-source']) && component['data-source'].length > 100
      && component['data-source'].some((item: Json) => isObject(item) && item.image !== undefined)) {
      this.ctx.report('ITEM_COUNT', keyPath(path, 'data-source'), `A Dropdown whose options have images holds at most 100 options; this one has ${component['data-source'].length}.`);
    }
    for (const [property, [low, high]] of Object.entries(VALUE_RANGES)) {
      const value = component[property];
      if (typeof value === 'number' && (value < low || value > high)) {
        this.ctx.report('VALUE_OUT_OF_RANGE', keyPath(path, property), `"${property}" on ${type} is ${value}; Meta allows ${low} to ${high}.`);
      }
    }
    for (const [min, max] of MIN_MAX_PAIRS) {
      const low = component[min];
      const high = component[max];
      if (typeof low === 'number' && typeof high === 'number' && low > high) {
        this.ctx.report('MIN_GREATER_THAN_MAX', keyPath(path, min), `"${min}" (${low}) is greater than "${max}" (${high}) on ${type}. Lower it, or raise "${max}".`);
      }
    }
    if (type === 'Footer') {
      const has = (key: string) => component[key] !== undefined;
      if (has('center-caption') && (has('left-caption') || has('right-caption'))) {
        this.ctx.report('INVALID_PROPERTY_COMBINATION', keyPath(path, 'center-caption'), 'A Footer has either "center-caption" or "left-caption" with "right-caption", not both. Remove one.');
      } else if (has('left-caption') !== has('right-caption')) {
        const missing = has('left-caption') ? 'right-caption' : 'left-caption';
        this.ctx.report('INVALID_PROPERTY_COMBINATION', path, `A Footer with "${missing === 'right-caption' ? 'left-caption' : 'right-caption'}" needs "${missing}" too (or use "center-caption" alone).`);
      }
    }
    if (type === 'If' && typeof component.condition === 'string' && !component.condition.includes('${')) {
      this.ctx.report('IF_CONDITION_INVALID', keyPath(path, 'condition'),
        `The condition ${JSON.stringify(component.condition)} reads no value, so it is ${component.condition.trim() === '' ? 'empty' : 'always the same'}. Test a \${form.…} or \${data.…} value, for example "\${form.agree}".`);
    }
  }

  private ifBranches(component: Json, path: string, depth: number, names: Set<string>): Tally {
    if (depth > MAX_IF_NESTING) {
      this.ctx.report('IF_NESTING_TOO_DEEP', path, `If components can be nested at most ${MAX_IF_NESTING} deep. Flatten the conditions.`);
    }
    if (Array.isArray(component.then) && component.then.length === 0) {
      this.ctx.report('EMPTY_BRANCH', keyPath(path, 'then'), 'The "then" list of an If needs at least one component.');
    }
    const thenNames = new Set(names);
    const elseNames = new Set(names);
    const outer = this.branch;
    this.branch = 'If';
    const thenTally = component.then === undefined ? emptyTally() : this.components(component.then, keyPath(path, 'then'), depth, thenNames);
    const elseTally = component.else === undefined ? emptyTally() : this.components(component.else, keyPath(path, 'else'), depth, elseNames);
    this.branch = outer;
    for (const name of [...thenNames, ...elseNames]) names.add(name);
    const thenFooters = thenTally.byType.get('Footer') ?? 0;
    const elseFooters = elseTally.byType.get('Footer') ?? 0;
    if ((thenFooters > 0) !== (elseFooters > 0)) {
      this.ctx.report('IF_FOOTER_BRANCHES', path, 'A Footer inside an If must appear in both "then" and "else" (add an "else" with its own Footer).');
    }
    return maxTally(thenTally, elseTally);
  }

  private switchCases(cases: Json, path: string, ifDepth: number, names: Set<string>): Tally {
    if (!isObject(cases)) return emptyTally();
    if (Object.keys(cases).length === 0) {
      this.ctx.report('EMPTY_BRANCH', path, 'A Switch needs at least one entry in "cases".');
    }
    let tally = emptyTally();
    const caseNames: Set<string>[] = [];
    const withFooter: boolean[] = [];
    const outer = this.branch;
    this.branch = 'Switch';
    for (const [key, list] of Object.entries(cases)) {
      if (!SWITCH_CASE_KEY.test(key)) {
        this.ctx.report('INVALID_PROPERTY_VALUE', keyPath(path, key),
          `The Switch case "${key}" must start with a letter and hold only letters, digits, "-" and "_" (for example "option_1").`);
      }
      const scope = new Set(names);
      caseNames.push(scope);
      const caseTally = this.components(list, keyPath(path, key), ifDepth, scope);
      withFooter.push((caseTally.byType.get('Footer') ?? 0) > 0);
      tally = maxTally(tally, caseTally);
    }
    this.branch = outer;
    for (const scope of caseNames) for (const name of scope) names.add(name);
    if (withFooter.some(f => f) && !withFooter.every(f => f)) {
      this.ctx.report('IF_FOOTER_BRANCHES', path, 'A Footer inside a Switch must appear in every case. Add one to each case, or move it out of the Switch.');
    }
    return tally;
  }

  /** data-source and list-items entries: unique, non-empty ids; items may carry their own actions. */
  private items(spec: ComponentSpec, items: Json, path: string, type: string): void {
    if (!Array.isArray(items)) return; // a "${data.x}" binding, checked as a reference
    const ids = new Set<string>();
    items.forEach((item, index) => {
      const itemPath = indexPath(path, index);
      if (!isObject(item)) return;
      if (typeof item.id !== 'string' || item.id.trim() === '') {
        this.ctx.report('EMPTY_ITEM_ID', itemPath, `Each ${type} item needs a non-empty string "id".`);
      } else if (ids.has(item.id)) {
        this.ctx.report('DUPLICATE_ITEM_ID', keyPath(itemPath, 'id'), `Another ${type} item already has id "${item.id}". Item ids must be unique.`);
      } else {
        ids.add(item.id);
      }
      for (const property of ACTION_PROPERTIES) {
        if (item[property] === undefined) continue;
        const allowed = spec.itemActions?.[property];
        if (!allowed) {
          this.ctx.report('UNKNOWN_PROPERTY', keyPath(itemPath, property), `${type} items have no "${property}". Remove it.`);
        } else {
          this.action(item[property], keyPath(itemPath, property), allowed, `${type} item`, property);
        }
      }
      for (const [key, limit] of Object.entries(DATA_SOURCE_ITEM_SOFT_LIMITS)) {
        this.softLimit(item[key], keyPath(itemPath, key), limit, `${type} item "${key}"`);
      }
    });
  }

  private action(action: Json, path: string, allowed: readonly ActionName[], type: string, property: string): void {
    if (!isObject(action)) {
      this.ctx.report('NOT_AN_OBJECT', path, 'An action must be an object with a "name".');
      return;
    }
    const name = action.name as ActionName;
    const spec = typeof name === 'string' ? ACTIONS[name] : undefined;
    if (!spec) {
      this.ctx.report('UNKNOWN_ACTION', keyPath(path, 'name'), `${JSON.stringify(name)} is not an action. Use one of: ${allowed.join(', ')}.${didYouMean(name, allowed)}`);
      return;
    }
    const version = this.ctx.version;
    const since = [spec.minVersion, COMPONENTS[type.replace(/ item$/, '')]?.actionVersions?.[name]]
      .filter((v): v is string => v !== undefined)
      .sort((a, b) => (isAtLeast(a, b) ? -1 : 1))[0];
    if (!isAtLeast(version, since)) {
      this.ctx.report('ACTION_NOT_IN_VERSION', path, `The "${name}" action${since !== spec.minVersion ? ` on ${type}` : ''} needs Flow JSON version ${since} or later; this Flow is ${version}. Raise "version" or use another action.`);
    }
    if (!allowed.includes(name)) {
      this.ctx.report('ACTION_NOT_ALLOWED', path, `${type} "${property}" cannot use "${name}". Allowed: ${allowed.join(', ')}.`);
    }
    for (const required of spec.required) {
      if (action[required] === undefined) this.ctx.report('MISSING_PROPERTY', path, `The "${name}" action needs "${required}".`);
    }
    // Meta's Flow JSON schema (WAFlowJSONActionSchema, getOnSelectActionSchema): an on-select-action or
    // on-unselect-action needs a "payload" (an on-click-action may leave it out).
    if (property !== 'on-click-action' && action.payload === undefined && spec.optional.includes('payload')) {
      this.ctx.report('MISSING_PROPERTY', path, `The "${name}" action of "${property}" needs a "payload" (use {} when there is nothing to send).`);
    }
    for (const key of Object.keys(action)) {
      if (key !== 'name' && !spec.required.includes(key) && !spec.optional.includes(key)) {
        this.ctx.report('UNKNOWN_PROPERTY', keyPath(path, key), `The "${name}" action has no property "${key}". Remove it.${didYouMean(key, [...spec.required, ...spec.optional])}`);
      }
    }
    if (name === 'navigate' && action.next !== undefined && (!isObject(action.next) || typeof action.next.name !== 'string')) {
      this.ctx.report('MISSING_PROPERTY', keyPath(path, 'next'), 'Set "next" to {"type": "screen", "name": "<screen id>"}.');
    }
    this.ctx.actions.push({ screen: this.screen, name, action, path, component: type, property });
    this.values(action.payload, keyPath(path, 'payload'), false);
    if (typeof action.url === 'string') this.values(action.url, keyPath(path, 'url'), true);
  }

  /**
   * Checks every string in a property value: references, blank text (6.0+), expressions (before 6.0).
   * Item ids of a list property are left to the item rules; item actions to `items`.
   */
  private values(value: Json, path: string, isText: boolean, property?: string, isItemList = false, blankAllowed = false): void {
    if (typeof value === 'string') {
      this.text(value, path, isText, property, blankAllowed);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        const itemPath = indexPath(path, index);
        if (isItemList && isObject(item)) {
          for (const [key, field] of Object.entries(item)) {
            if (key !== 'id' && !(ACTION_PROPERTIES as readonly string[]).includes(key)) {
              this.values(field, keyPath(itemPath, key), isText && !BASE64_PROPERTIES.includes(key));
            }
          }
        } else {
          // A blank line between markdown paragraphs ("text": ["# Title", "", "Body"]) is not a blank property.
          this.values(item, itemPath, isText, undefined, false, property === 'text');
        }
      });
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) this.values(item, keyPath(path, key), isText && !BASE64_PROPERTIES.includes(key));
    }
  }

  private text(value: string, path: string, isText: boolean, property?: string, blankAllowed = false): void {
    const version = this.ctx.version;
    if (value.includes('${')) {
      const whole = /^\$\{([^{}]+)\}$/.exec(value.trim());
      for (const match of value.matchAll(/\$\{([^}]*)\}/g)) {
        this.ctx.references.push({ screen: this.screen, expression: match[1].trim(), path, property: whole ? property : undefined });
      }
    }
    if (!isText) return;
    if (value.trim() === '' && !blankAllowed && isAtLeast(version, FEATURE_VERSIONS.nonEmptyStrings)) {
      this.ctx.report('EMPTY_TEXT', path, 'From Flow JSON 6.0, string properties cannot be empty or blank. Write a value or remove the property.');
    }
    const isPlainBinding = /^\$\{[^{}]+\}$/.test(value.trim());
    const isExpression = value.includes('${') && !isPlainBinding;
    if (isExpression && !isAtLeast(version, FEATURE_VERSIONS.expressions)) {
      this.ctx.report('EXPRESSION_NOT_IN_VERSION', path,
        `Mixing text and \${...} or using expressions needs Flow JSON version ${FEATURE_VERSIONS.expressions} or later; this Flow is ${version}.`);
    }
  }

  private softLimit(value: Json, path: string, limit: number, what: string): void {
    if (typeof value !== 'string' || value.includes('${')) return;
    const length = [...value].length;
    if (length > limit) {
      this.ctx.report('TEXT_TOO_LONG', path, `${what} is ${length} characters; Meta documents a limit of ${limit}. Shorten it: WhatsApp may cut it off.`);
    }
  }
}

function emptyTally(): Tally {
  return { total: 0, byType: new Map() };
}

function addTally(into: Tally, from: Tally): void {
  into.total += from.total;
  for (const [type, count] of from.byType) into.byType.set(type, (into.byType.get(type) ?? 0) + count);
}

function maxTally(a: Tally, b: Tally): Tally {
  const result: Tally = { total: Math.max(a.total, b.total), byType: new Map(a.byType) };
  for (const [type, count] of b.byType) result.byType.set(type, Math.max(result.byType.get(type) ?? 0, count));
  return result;
}
