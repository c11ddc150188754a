import {
  ACTIONS, ActionName, CHILD_LIST_PROPERTIES, COMPONENTS, ComponentSpec, DATA_SOURCE_ITEM_SOFT_LIMITS, EXCLUSIVE_COMPONENTS,
  MAX_COMPONENTS_PER_SCREEN, MAX_IF_NESTING,
} from './components';
import { indexPath, keyPath } from './json-path';
import { RULES, RuleCode } from './rules';
import { FEATURE_VERSIONS, PUBLISHABLE_VERSIONS, findVersion, isAtLeast } from './versions';

export interface Problem {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

type Json = any;

const TOP_LEVEL_KEYS = ['version', 'screens'];
const ENDPOINT_TOP_LEVEL_KEYS = ['routing_model', 'data_api_version', 'data_channel_uri'];
const SCREEN_KEYS = ['id', 'title', 'terminal', 'success', 'data', 'layout', 'sensitive'];
const DATA_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'];
/** Properties that are expressions by design (since 4.0), not text. */
const EXPRESSION_PROPERTIES = ['condition', 'value'];
const LATEST_VERSION = PUBLISHABLE_VERSIONS[PUBLISHABLE_VERSIONS.length - 1].version;

/** Per-screen tally; If/Switch branches are alternatives, so a branch counts as its largest alternative. */
interface Tally {
  total: number;
  byType: Map<string, number>;
}

interface ScreenInfo {
  readonly index: number;
  readonly path: string;
  readonly id?: string;
  readonly terminal: boolean;
  readonly screen: Json;
  readonly dataFields: Set<string>;
  readonly formFields: Set<string>;
}

interface Edge { readonly from: ScreenInfo; readonly to: string; readonly path: string }
interface Reference { readonly screen: ScreenInfo; readonly expression: string; readonly path: string }

export class FlowChecker {
  public readonly errors: Problem[] = [];
  public readonly warnings: Problem[] = [];
  private version = LATEST_VERSION;
  private readonly screens: ScreenInfo[] = [];
  private readonly edges: Edge[] = [];
  private readonly references: Reference[] = [];

  public report(code: RuleCode, path: string, message: string): void {
    const problem = { code, path, message };
    (RULES[code].severity === 'error' ? this.errors : this.warnings).push(problem);
  }

  public check(flow: Json): void {
    if (!isObject(flow)) {
      this.report('NOT_AN_OBJECT', '$', 'The Flow JSON must be a JSON object with "version" and "screens".');
      return;
    }
    this.checkTopLevelKeys(flow);
    this.checkVersion(flow.version);
    if (!Array.isArray(flow.screens) || flow.screens.length === 0) {
      this.report('SCREENS_EMPTY', '$.screens', 'Add "screens": a list with at least one screen.');
      return;
    }
    flow.screens.forEach((screen: Json, index: number) => this.collectScreen(screen, indexPath('$.screens', index)));
    this.checkScreenIds();
    for (const screen of this.screens) this.checkScreenLayout(screen);
    this.checkNavigation();
    this.checkReferences();
  }

  private checkTopLevelKeys(flow: Json): void {
    for (const key of Object.keys(flow)) {
      if (ENDPOINT_TOP_LEVEL_KEYS.includes(key)) {
        this.report('ENDPOINT_FEATURE_UNSUPPORTED', keyPath('$', key),
          `"${key}" configures a Flow endpoint; AWS End User Messaging Social does not support endpoint Flows yet. Remove it.`);
      } else if (!TOP_LEVEL_KEYS.includes(key)) {
        this.report('UNKNOWN_TOP_LEVEL_KEY', keyPath('$', key), `"${key}" is not a Flow JSON key. Remove it (allowed: version, screens).`);
      }
    }
  }

  private checkVersion(version: Json): void {
    if (version === undefined) {
      this.report('MISSING_VERSION', '$', `Add "version", for example "${LATEST_VERSION}".`);
      return;
    }
    const info = findVersion(version);
    if (!info) {
      const list = PUBLISHABLE_VERSIONS.map(v => v.version).join(', ');
      this.report('UNSUPPORTED_VERSION', '$.version',
        `Version ${JSON.stringify(version)} cannot be published through AWS. Use one of: ${list} (a string).`);
      return;
    }
    this.version = info.version;
    if (info.notice) this.report('VERSION_NOTICE', '$.version', `Version ${info.version}: ${info.notice}`);
  }

  // ---- screens ----

  private collectScreen(screen: Json, path: string): void {
    if (!isObject(screen)) {
      this.report('NOT_AN_OBJECT', path, 'Each screen must be a JSON object.');
      return;
    }
    for (const key of Object.keys(screen)) {
      if (key === 'refresh_on_back') {
        this.report('ENDPOINT_FEATURE_UNSUPPORTED', keyPath(path, key),
          '"refresh_on_back" calls a Flow endpoint; AWS does not support endpoint Flows yet. Remove it.');
      } else if (!SCREEN_KEYS.includes(key)) {
        this.report('UNKNOWN_SCREEN_KEY', keyPath(path, key), `"${key}" is not a screen key. Remove it (allowed: ${SCREEN_KEYS.join(', ')}).`);
      }
    }
    if (typeof screen.title !== 'string' || screen.title.trim() === '') {
      this.report('MISSING_SCREEN_TITLE', path, 'Give the screen a "title": it is shown in the top bar.');
    }
    const info: ScreenInfo = {
      index: this.screens.length,
      path,
      id: typeof screen.id === 'string' && screen.id !== '' ? screen.id : undefined,
      terminal: screen.terminal === true,
      screen,
      dataFields: this.checkScreenData(screen.data, keyPath(path, 'data')),
      formFields: new Set(),
    };
    this.screens.push(info);
  }

  private checkScreenData(data: Json, path: string): Set<string> {
    const fields = new Set<string>();
    if (data === undefined) return fields;
    if (!isObject(data)) {
      this.report('NOT_AN_OBJECT', path, '"data" must be an object that maps each field name to {"type", "__example__"}.');
      return fields;
    }
    for (const [name, field] of Object.entries(data)) {
      fields.add(name);
      const fieldPath = keyPath(path, name);
      if (!isObject(field) || !DATA_TYPES.includes((field as Json).type)) {
        this.report('DATA_FIELD_INVALID', fieldPath, `Declare "${name}" as {"type": one of ${DATA_TYPES.join(', ')}, "__example__": ...}.`);
        continue;
      }
      const spec = field as Json;
      if (!('__example__' in spec)) {
        this.report('DATA_FIELD_NO_EXAMPLE', fieldPath, `Add "__example__" to "${name}": a sample ${spec.type} value used for previews.`);
      } else if (!matchesType(spec.__example__, spec.type)) {
        this.report('DATA_EXAMPLE_TYPE_MISMATCH', keyPath(fieldPath, '__example__'),
          `"${name}" is declared as ${spec.type}, but its "__example__" is ${describeType(spec.__example__)}.`);
      }
    }
    return fields;
  }

  private checkScreenIds(): void {
    const seen = new Set<string>();
    for (const screen of this.screens) {
      const id = screen.screen.id;
      const idPath = keyPath(screen.path, 'id');
      if (screen.id === undefined) {
        this.report('MISSING_SCREEN_ID', screen.path, 'Give the screen an "id" (letters and underscores, for example "WELCOME").');
      } else if (id === 'SUCCESS') {
        this.report('RESERVED_SCREEN_ID', idPath, '"SUCCESS" is reserved by WhatsApp. Choose another screen id.');
      } else if (!/^[A-Za-z_]+$/.test(id)) {
        this.report('INVALID_SCREEN_ID', idPath, `Screen id "${id}" may only contain letters and underscores (for example "STEP_ONE").`);
      } else if (seen.has(id)) {
        this.report('DUPLICATE_SCREEN_ID', idPath, `Another screen already has id "${id}". Screen ids must be unique.`);
      }
      if (screen.id !== undefined) seen.add(screen.id);
    }
  }

  private checkScreenLayout(screen: ScreenInfo): void {
    const layout = screen.screen.layout;
    const layoutPath = keyPath(screen.path, 'layout');
    if (!isObject(layout) || layout.type !== 'SingleColumnLayout' || !Array.isArray(layout.children)) {
      this.report('INVALID_LAYOUT', layoutPath, 'Set "layout" to {"type": "SingleColumnLayout", "children": [ ...components ]}.');
      return;
    }
    const walk = new ScreenWalk(this, screen);
    const childrenPath = keyPath(layoutPath, 'children');
    const tally = walk.components(layout.children, childrenPath, 0, new Set());

    if (tally.total > MAX_COMPONENTS_PER_SCREEN) {
      this.report('TOO_MANY_COMPONENTS', childrenPath,
        `The screen has ${tally.total} components; the limit is ${MAX_COMPONENTS_PER_SCREEN}. Split it into more screens.`);
    }
    for (const [type, count] of tally.byType) {
      const max = COMPONENTS[type]?.perScreenMax;
      if (max !== undefined && count > max) {
        this.report('COMPONENT_LIMIT_EXCEEDED', childrenPath, `The screen has ${count} ${type} components; at most ${max} allowed.`);
      }
    }
    for (const [a, b] of EXCLUSIVE_COMPONENTS) {
      if (tally.byType.has(a) && tally.byType.has(b)) {
        this.report('EXCLUSIVE_COMPONENTS', childrenPath, `${a} and ${b} cannot be on the same screen. Move one to another screen.`);
      }
    }
    if (screen.terminal && !tally.byType.has('Footer')) {
      this.report('TERMINAL_WITHOUT_FOOTER', screen.path, 'A terminal screen needs a Footer (usually with a "complete" action).');
    }
    if (!screen.terminal) {
      for (const path of walk.completeActions) {
        this.report('COMPLETE_ON_NON_TERMINAL', path, 'A "complete" action ends the Flow: use it only on a screen with "terminal": true.');
      }
    }
  }

  // ---- navigation ----

  public addEdge(edge: Edge): void { this.edges.push(edge); }
  public addReference(reference: Reference): void { this.references.push(reference); }
  public get flowVersion(): string { return this.version; }

  private checkNavigation(): void {
    const byId = new Map<string, ScreenInfo>();
    for (const screen of this.screens) if (screen.id !== undefined && !byId.has(screen.id)) byId.set(screen.id, screen);

    const next = new Map<ScreenInfo, Array<{ edge: Edge; target: ScreenInfo }>>();
    const incoming = new Set<ScreenInfo>();
    for (const edge of this.edges) {
      const target = byId.get(edge.to);
      if (!target) {
        const known = [...byId.keys()].join(', ');
        this.report('NAVIGATE_UNKNOWN_SCREEN', edge.path, `No screen has id "${edge.to}". Known screens: ${known}.`);
      } else if (target === edge.from) {
        this.report('NAVIGATE_SELF', edge.path, `Screen "${edge.to}" navigates to itself. Navigate to another screen, or use update_data.`);
      } else {
        next.set(edge.from, [...(next.get(edge.from) ?? []), { edge, target }]);
        incoming.add(target);
      }
    }

    // Graph nodes: screens without an id count on their own; a duplicated id counts once (already reported).
    const nodes = this.screens.filter(s => s.id === undefined || byId.get(s.id) === s);
    const label = (s: ScreenInfo): string => s.id !== undefined ? `"${s.id}"` : s.path;
    if (!this.screens.some(s => s.terminal)) {
      this.report('NO_TERMINAL_SCREEN', '$.screens', 'Mark the last screen with "terminal": true and give it a Footer with a "complete" action.');
    }
    const entries = nodes.filter(s => !incoming.has(s));
    if (entries.length === 0) {
      this.report('ENTRY_SCREEN_COUNT', '$.screens',
        'Every screen is the target of a navigate action, so the Flow has no entry screen. Remove the navigate action that leads back to the first screen.');
    } else if (entries.length > 1) {
      const others = entries.slice(1).map(label).join(', ');
      this.report('ENTRY_SCREEN_COUNT', '$.screens',
        `A Flow has one entry screen (${label(entries[0])}), but no navigate action leads to ${others}. Navigate there from another screen, or remove it.`);
    }

    const reached = this.findCycles(entries.length === 1 ? entries : nodes, next);
    if (entries.length === 1) {
      for (const screen of nodes) {
        if (!reached.has(screen)) {
          this.report('UNREACHABLE_SCREEN', screen.path, `No path of navigate actions leads from ${label(entries[0])} to ${label(screen)}.`);
        }
      }
    }
  }

  /** Depth-first search from the roots; reports each back edge as a cycle and returns the screens reached. */
  private findCycles(roots: ScreenInfo[], next: Map<ScreenInfo, Array<{ edge: Edge; target: ScreenInfo }>>): Set<ScreenInfo> {
    const done = new Set<ScreenInfo>();
    const onStack: ScreenInfo[] = [];
    const visit = (screen: ScreenInfo): void => {
      onStack.push(screen);
      for (const { edge, target } of next.get(screen) ?? []) {
        const at = onStack.indexOf(target);
        if (at >= 0) {
          const loop = [...onStack.slice(at), target].map(s => s.id).join(' → ');
          this.report('NAVIGATION_CYCLE', edge.path, `Navigation goes round in a cycle (${loop}). Flows must move forward; remove one of these navigate actions.`);
        } else if (!done.has(target)) {
          visit(target);
        }
      }
      onStack.pop();
      done.add(screen);
    };
    for (const root of roots) if (!done.has(root)) visit(root);
    return done;
  }

  // ---- references ----

  private checkReferences(): void {
    const byId = new Map(this.screens.filter(s => s.id !== undefined).map(s => [s.id!, s]));
    for (const { screen, expression, path } of this.references) {
      const parts = expression.split(/[.[\]]/).map(p => p.trim()).filter(p => p !== '');
      const [root, name] = parts;
      if (root === 'form' && !screen.formFields.has(name)) {
        this.report('UNKNOWN_FORM_REFERENCE', path, `\${${expression}}: no input named "${name}" on screen "${screen.id}".`);
      } else if (root === 'data' && !screen.dataFields.has(name)) {
        this.report('UNKNOWN_DATA_REFERENCE', path, `\${${expression}}: declare "${name}" in the "data" of screen "${screen.id}".`);
      } else if (root === 'screen') {
        const target = byId.get(name);
        const [, , kind, field] = parts;
        const fields = kind === 'form' ? target?.formFields : kind === 'data' ? target?.dataFields : undefined;
        if (!target) {
          this.report('UNKNOWN_SCREEN_REFERENCE', path, `\${${expression}}: no screen has id "${name}".`);
        } else if (!fields || !fields.has(field)) {
          this.report('UNKNOWN_SCREEN_REFERENCE', path, `\${${expression}}: screen "${name}" has no ${kind ?? 'form or data'} field "${field ?? ''}".`);
        }
      }
    }
  }
}

/** Walks one screen's components, reporting component rules and collecting edges and references. */
class ScreenWalk {
  public readonly completeActions: string[] = [];

  constructor(private readonly checker: FlowChecker, private readonly screen: ScreenInfo) {}

  /** Checks a list of components; `names` holds the field names already used in this scope. */
  public components(list: Json, path: string, ifDepth: number, names: Set<string>): Tally {
    const tally: Tally = { total: 0, byType: new Map() };
    if (!Array.isArray(list)) {
      this.checker.report('NOT_AN_OBJECT', path, 'Expected a list of components.');
      return tally;
    }
    list.forEach((component, index) => addTally(tally, this.component(component, indexPath(path, index), ifDepth, names)));
    return tally;
  }

  private component(component: Json, path: string, ifDepth: number, names: Set<string>): Tally {
    const tally: Tally = { total: 1, byType: new Map() };
    if (!isObject(component)) {
      this.checker.report('NOT_AN_OBJECT', path, 'Each component must be a JSON object with a "type".');
      return tally;
    }
    const type = component.type;
    const spec: ComponentSpec | undefined = typeof type === 'string' ? COMPONENTS[type] : undefined;
    if (!spec) {
      this.checker.report('UNKNOWN_COMPONENT', keyPath(path, 'type'),
        `${JSON.stringify(type)} is not a Flow JSON component. Known components: ${Object.keys(COMPONENTS).join(', ')}.`);
      return tally;
    }
    tally.byType.set(type, 1);
    const version = this.checker.flowVersion;
    if (!isAtLeast(version, spec.minVersion)) {
      this.checker.report('COMPONENT_NOT_IN_VERSION', path, `${type} needs Flow JSON version ${spec.minVersion} or later; this Flow is ${version}.`);
    }
    for (const required of spec.required) {
      if (component[required] === undefined) {
        this.checker.report('MISSING_PROPERTY', path, `${type} needs "${required}".`);
      }
    }
    for (const [key, value] of Object.entries(component)) {
      const propertyPath = keyPath(path, key);
      if (key === 'type') continue;
      if (!spec.required.includes(key) && !spec.optional.includes(key)) {
        this.checker.report('UNKNOWN_PROPERTY', propertyPath, `${type} has no property "${key}". Remove it.`);
        continue;
      }
      const since = spec.propertyVersions?.[key];
      if (!isAtLeast(version, since)) {
        this.checker.report('PROPERTY_NOT_IN_VERSION', propertyPath, `"${key}" on ${type} needs Flow JSON version ${since} or later; this Flow is ${version}.`);
      }
      if (spec.actions?.[key]) {
        this.action(value, propertyPath, spec.actions[key], type, key);
      } else if (!CHILD_LIST_PROPERTIES.includes(key) && !(type === 'Switch' && key === 'cases')) {
        const isText = !EXPRESSION_PROPERTIES.includes(key) || !['If', 'Switch'].includes(type);
        this.values(value, propertyPath, isText, key === spec.itemsProperty);
        const limit = spec.softTextLimits?.[key];
        if (limit !== undefined) this.softLimit(value, propertyPath, limit, `${type} "${key}"`);
      }
    }
    if (spec.required.includes('name') && type !== 'Form' && typeof component.name === 'string') {
      if (names.has(component.name)) {
        this.checker.report('DUPLICATE_FIELD_NAME', keyPath(path, 'name'), `Another input on this screen is already named "${component.name}". Names must be unique.`);
      }
      names.add(component.name);
      this.screen.formFields.add(component.name);
    }
    if (spec.itemsProperty) this.items(component[spec.itemsProperty], keyPath(path, spec.itemsProperty), type);

    if (type === 'Form') {
      addTally(tally, this.components(component.children, keyPath(path, 'children'), ifDepth, names));
    } else if (type === 'If') {
      addTally(tally, this.ifBranches(component, path, ifDepth + 1, names));
    } else if (type === 'Switch') {
      addTally(tally, this.switchCases(component.cases, keyPath(path, 'cases'), ifDepth, names));
    }
    return tally;
  }

  private ifBranches(component: Json, path: string, depth: number, names: Set<string>): Tally {
    if (depth > MAX_IF_NESTING) {
      this.checker.report('IF_NESTING_TOO_DEEP', path, `If components can be nested at most ${MAX_IF_NESTING} deep. Flatten the conditions.`);
    }
    if (Array.isArray(component.then) && component.then.length === 0) {
      this.checker.report('EMPTY_BRANCH', keyPath(path, 'then'), 'The "then" list of an If needs at least one component.');
    }
    const thenNames = new Set(names);
    const elseNames = new Set(names);
    const thenTally = component.then === undefined ? emptyTally() : this.components(component.then, keyPath(path, 'then'), depth, thenNames);
    const elseTally = component.else === undefined ? emptyTally() : this.components(component.else, keyPath(path, 'else'), depth, elseNames);
    for (const name of [...thenNames, ...elseNames]) names.add(name);
    const thenFooters = thenTally.byType.get('Footer') ?? 0;
    const elseFooters = elseTally.byType.get('Footer') ?? 0;
    if ((thenFooters > 0) !== (elseFooters > 0)) {
      this.checker.report('IF_FOOTER_BRANCHES', path, 'A Footer inside an If must appear in both "then" and "else" (add an "else" with its own Footer).');
    }
    return maxTally(thenTally, elseTally);
  }

  private switchCases(cases: Json, path: string, ifDepth: number, names: Set<string>): Tally {
    if (!isObject(cases)) return emptyTally();
    if (Object.keys(cases).length === 0) {
      this.checker.report('EMPTY_BRANCH', path, 'A Switch needs at least one entry in "cases".');
    }
    let tally = emptyTally();
    const caseNames: Set<string>[] = [];
    for (const [key, list] of Object.entries(cases)) {
      const scope = new Set(names);
      caseNames.push(scope);
      tally = maxTally(tally, this.components(list, keyPath(path, key), ifDepth, scope));
    }
    for (const scope of caseNames) for (const name of scope) names.add(name);
    return tally;
  }

  /** data-source and list-items entries: unique, non-empty ids; NavigationList items may carry their own action. */
  private items(items: Json, path: string, type: string): void {
    if (!Array.isArray(items)) return; // a "${data.x}" binding, checked as a reference
    const ids = new Set<string>();
    items.forEach((item, index) => {
      const itemPath = indexPath(path, index);
      if (!isObject(item)) return;
      if (typeof item.id !== 'string' || item.id.trim() === '') {
        this.checker.report('EMPTY_ITEM_ID', itemPath, `Each ${type} item needs a non-empty string "id".`);
      } else if (ids.has(item.id)) {
        this.checker.report('DUPLICATE_ITEM_ID', keyPath(itemPath, 'id'), `Another ${type} item already has id "${item.id}". Item ids must be unique.`);
      } else {
        ids.add(item.id);
      }
      if (item['on-click-action'] !== undefined) {
        this.action(item['on-click-action'], keyPath(itemPath, 'on-click-action'), COMPONENTS[type].actions?.['on-click-action'] ?? [], type, 'on-click-action');
      }
      for (const [key, limit] of Object.entries(DATA_SOURCE_ITEM_SOFT_LIMITS)) {
        this.softLimit(item[key], keyPath(itemPath, key), limit, `${type} item "${key}"`);
      }
    });
  }

  private action(action: Json, path: string, allowed: readonly ActionName[], type: string, property: string): void {
    if (!isObject(action)) {
      this.checker.report('NOT_AN_OBJECT', path, 'An action must be an object with a "name".');
      return;
    }
    const name = action.name as ActionName;
    const spec = typeof name === 'string' ? ACTIONS[name] : undefined;
    if (!spec) {
      this.checker.report('UNKNOWN_ACTION', keyPath(path, 'name'), `${JSON.stringify(name)} is not an action. Use one of: ${allowed.join(', ')}.`);
      return;
    }
    const version = this.checker.flowVersion;
    if (!isAtLeast(version, spec.minVersion)) {
      this.checker.report('ACTION_NOT_IN_VERSION', path, `The "${name}" action needs Flow JSON version ${spec.minVersion} or later; this Flow is ${version}.`);
    }
    if (name === 'data_exchange') {
      this.checker.report('ENDPOINT_FEATURE_UNSUPPORTED', path,
        'The "data_exchange" action calls a Flow endpoint; AWS does not support endpoint Flows yet. Use navigate or complete.');
    } else if (!allowed.includes(name)) {
      this.checker.report('ACTION_NOT_ALLOWED', path, `${type} "${property}" cannot use "${name}". Allowed: ${allowed.join(', ')}.`);
    }
    for (const required of spec.required) {
      if (action[required] === undefined) this.checker.report('MISSING_PROPERTY', path, `The "${name}" action needs "${required}".`);
    }
    for (const key of Object.keys(action)) {
      if (key !== 'name' && !spec.required.includes(key) && !spec.optional.includes(key)) {
        this.checker.report('UNKNOWN_PROPERTY', keyPath(path, key), `The "${name}" action has no property "${key}". Remove it.`);
      }
    }
    if (name === 'navigate' && action.next !== undefined) {
      const next = action.next;
      if (!isObject(next) || typeof next.name !== 'string') {
        this.checker.report('MISSING_PROPERTY', keyPath(path, 'next'), 'Set "next" to {"type": "screen", "name": "<screen id>"}.');
      } else {
        this.checker.addEdge({ from: this.screen, to: next.name, path: keyPath(keyPath(path, 'next'), 'name') });
      }
    }
    if (name === 'complete') this.completeActions.push(path);
    this.values(action.payload, keyPath(path, 'payload'), false);
    if (typeof action.url === 'string') this.values(action.url, keyPath(path, 'url'), true);
  }

  /**
   * Checks every string in a property value: references, blank text (6.0+), expressions (before 6.0).
   * Item ids of a list property are left to the item rules.
   */
  private values(value: Json, path: string, isText: boolean, isItemList = false): void {
    if (typeof value === 'string') {
      this.text(value, path, isText);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        const itemPath = indexPath(path, index);
        if (isItemList && isObject(item)) {
          for (const [key, field] of Object.entries(item)) if (key !== 'id') this.values(field, keyPath(itemPath, key), isText);
        } else {
          this.values(item, itemPath, isText);
        }
      });
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) this.values(item, keyPath(path, key), isText);
    }
  }

  private text(value: string, path: string, isText: boolean): void {
    const version = this.checker.flowVersion;
    for (const match of value.matchAll(/\$\{([^}]*)\}/g)) {
      this.checker.addReference({ screen: this.screen, expression: match[1].trim(), path });
    }
    if (!isText) return;
    if (value.trim() === '' && isAtLeast(version, FEATURE_VERSIONS.nonEmptyStrings)) {
      this.checker.report('EMPTY_TEXT', path, 'From Flow JSON 6.0, string properties cannot be empty or blank. Write a value or remove the property.');
    }
    const isPlainBinding = /^\$\{[^{}]+\}$/.test(value.trim());
    const isExpression = value.includes('${') && !isPlainBinding;
    if (isExpression && !isAtLeast(version, FEATURE_VERSIONS.expressions)) {
      this.checker.report('EXPRESSION_NOT_IN_VERSION', path,
        `Mixing text and \${...} or using expressions needs Flow JSON version ${FEATURE_VERSIONS.expressions} or later; this Flow is ${version}.`);
    }
  }

  private softLimit(value: Json, path: string, limit: number, what: string): void {
    if (typeof value !== 'string' || value.includes('${')) return;
    if ([...value].length > limit) {
      this.checker.report('TEXT_TOO_LONG', path, `${what} is ${[...value].length} characters; Meta documents a limit of ${limit}. WhatsApp may cut it off.`);
    }
  }
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchesType(value: Json, type: string): boolean {
  switch (type) {
    case 'integer': return Number.isInteger(value);
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return typeof value === type;
  }
}

function describeType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
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
