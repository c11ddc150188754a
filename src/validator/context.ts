import { ActionName } from './components';
import { RULES, RuleCode } from './rules';
import { PUBLISHABLE_VERSIONS } from './versions';

/** Parsed JSON: the validator checks shapes itself. */
export type Json = any;

export interface Problem {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export const LATEST_VERSION = PUBLISHABLE_VERSIONS[PUBLISHABLE_VERSIONS.length - 1].version;

/** A field a screen declares in `data`. `type` is undefined when the declaration is broken (reported already). */
export interface DataField {
  readonly name: string;
  readonly type?: string;
  readonly path: string;
}

/** An input component on a screen, by its `name`. */
export interface FormField {
  readonly name: string;
  readonly component: string;
  readonly path: string;
}

/** A component as found on a screen. */
export interface ComponentUse {
  readonly type: string;
  readonly path: string;
  readonly component: Json;
  /** Inside a Form component. */
  readonly inForm: boolean;
}

export interface ScreenInfo {
  readonly index: number;
  readonly path: string;
  readonly id?: string;
  readonly terminal: boolean;
  readonly screen: Json;
  readonly dataFields: Map<string, DataField>;
  readonly formFields: Map<string, FormField>;
  readonly components: ComponentUse[];
}

/** An action found on a component or a list item. */
export interface ActionUse {
  readonly screen: ScreenInfo;
  readonly name: ActionName;
  readonly action: Json;
  readonly path: string;
  readonly component: string;
  readonly property: string;
}

/** A `${...}` found in a string. `property` is the component property it sits in, when it is the whole value. */
export interface Reference {
  readonly screen: ScreenInfo;
  readonly expression: string;
  readonly path: string;
  readonly property?: string;
}

/** Collects problems; warnings whose code is in `ignored` are dropped. */
export class Reporter {
  public readonly errors: Problem[] = [];
  public readonly warnings: Problem[] = [];

  constructor(private readonly ignored: ReadonlySet<string> = new Set()) {}

  public report(code: RuleCode, path: string, message: string): void {
    if (RULES[code].severity === 'error') {
      this.errors.push({ code, path, message });
    } else if (!this.ignored.has(code)) {
      this.warnings.push({ code, path, message });
    }
  }
}

/** What the rule families learn about one Flow and share: screens, actions, references. */
export class FlowContext {
  public version = LATEST_VERSION;
  public dataApiVersion?: string;
  public readonly screens: ScreenInfo[] = [];
  public readonly actions: ActionUse[] = [];
  public readonly references: Reference[] = [];
  private idIndex?: Map<string, ScreenInfo>;

  constructor(public readonly flow: Json, private readonly reporter: Reporter) {}

  public report(code: RuleCode, path: string, message: string): void {
    this.reporter.report(code, path, message);
  }

  /** Screens by id; when two share an id (reported), the first wins. */
  public get byId(): Map<string, ScreenInfo> {
    if (!this.idIndex) {
      this.idIndex = new Map();
      for (const screen of this.screens) if (screen.id !== undefined && !this.idIndex.has(screen.id)) this.idIndex.set(screen.id, screen);
    }
    return this.idIndex;
  }

  public get hasRoutingModel(): boolean {
    return isObject(this.flow) && this.flow.routing_model !== undefined;
  }
}

export function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A screen as people read it in a message: its id in quotes, or its path when it has none. */
export function screenLabel(screen: ScreenInfo): string {
  return screen.id !== undefined ? `"${screen.id}"` : screen.path;
}

/** A `${...}` reference read as its path: `screen.A.form.x` → ['screen', 'A', 'form', 'x']. */
export interface ReferencePath {
  readonly parts: string[];
  /** True when the braces hold more than a path (an operator, a comparison): then only the path is checked. */
  readonly isExpression: boolean;
}

/** Reads the leading path of a reference (`form.x`, `data.items[0].id`, `screen.A.data.x`); undefined if none. */
export function parseReference(expression: string): ReferencePath | undefined {
  const match = /^\s*(form|data|screen)((?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[\s*\d+\s*\])*)\s*([\s\S]*)$/.exec(expression);
  if (!match) return undefined;
  const rest = match[2].split(/[.[\]\s]+/).filter(p => p !== '');
  return { parts: [match[1], ...rest], isExpression: match[3].trim() !== '' };
}
