/**
 * Every problem the validator reports, one code per rule. The rule table in the README is generated
 * from this list (scripts/rules-doc.ts), so a new rule is documented by adding it here.
 *
 * `family` names the file under src/validator that holds the rule, so that a rule is found where its name says.
 */
export type Severity = 'error' | 'warning';

export type RuleFamily = 'document' | 'components' | 'screens' | 'screen graph' | 'routing model' | 'data model' | 'design';

export interface RuleInfo {
  /**
   * Where the rule comes from: a page (and section) of Meta's WhatsApp Flows documentation, developers.facebook.com/
   * docs/whatsapp/flows/: "Flow JSON" is reference/flowjson, "Components" reference/components, "Media upload
   * components" reference/media_upload, "Error codes" reference/error-codes, "Versioning" guides/versioning,
   * "Changelog" changelogs, "Best practices" guides/bestpractices, "Error codes" reference/error-codes (its tables of
   * static validation errors); or the AWS End User Messaging Social user guide.
   */
  readonly source: string;
  readonly severity: Severity;
  readonly family: RuleFamily;
  readonly summary: string;
}

export const RULES = {
  // Document and versions (document.ts, dynamic.ts)
  INVALID_JSON: { source: 'RFC 8259', severity: 'error', family: 'document', summary: 'The text is not valid JSON.' },
  UTF8_BOM: { source: 'RFC 8259 § 8.1', severity: 'warning', family: 'document', summary: 'The file starts with a UTF-8 byte-order mark; it is ignored, but Meta does not document accepting it. Save without a BOM.' },
  FLOW_TOO_LARGE: { source: 'AWS: Flows limitations', severity: 'error', family: 'document', summary: 'The Flow JSON is larger than 10 MB.' },
  NOT_AN_OBJECT: { source: 'Flow JSON', severity: 'error', family: 'document', summary: 'The Flow JSON (or a screen, component or action in it) is not a JSON object.' },
  MISSING_VERSION: { source: 'Flow JSON § Top level properties', severity: 'error', family: 'document', summary: '`version` is missing.' },
  UNSUPPORTED_VERSION: { source: 'AWS: Flows limitations; Meta: Versioning', severity: 'error', family: 'document', summary: '`version` is not one AWS can publish (5.1, 6.0–6.3, 7.0–7.3).' },
  VERSION_NOTICE: { source: 'Meta: Versioning', severity: 'warning', family: 'document', summary: 'The version is publishable but older; Meta freezes and expires old versions first.' },
  SCREENS_EMPTY: { source: 'Flow JSON § Top level properties', severity: 'error', family: 'document', summary: '`screens` is missing, not a list, or empty.' },
  UNKNOWN_TOP_LEVEL_KEY: { source: 'Flow JSON § Top level properties', severity: 'error', family: 'document', summary: 'A top-level key Flow JSON does not define.' },
  DATA_CHANNEL_URI_UNSUPPORTED: {
    source: 'Flow JSON § Top level properties (data_channel_uri, before 3.0)',
    severity: 'error',
    family: 'document',
    summary: '`data_channel_uri`: Meta removed it in Flow JSON 3.0; the endpoint is set on the Flow (the construct\'s `endpoint`), not in the JSON.',
  },
  INVALID_DATA_API_VERSION: { source: 'Flow JSON § Top level properties; Changelog (Data API 4.0)', severity: 'error', family: 'document', summary: '`data_api_version` is not "3.0" or "4.0".' },
  DATA_API_VERSION_NOT_IN_VERSION: { source: 'Meta\'s Flow JSON schema (WAFlowJSONRootSchema); Changelog (Data API 4.0)', severity: 'warning', family: 'document', summary: '`data_api_version` "4.0" with a Flow JSON version before 7.3 (Meta\'s schema takes it from 7.3).' },
  DATA_API_VERSION_WITHOUT_ROUTING_MODEL: { source: 'Flow JSON § Top level properties (routing_model)', severity: 'error', family: 'document', summary: '`data_api_version` without a `routing_model`.' },
  DATA_EXCHANGE_WITHOUT_DATA_API_VERSION: { source: 'Flow JSON § Top level properties (data_api_version)', severity: 'error', family: 'document', summary: 'A `data_exchange` action in a Flow without `data_api_version`.' },
  REFRESH_ON_BACK_WITHOUT_DATA_API_VERSION: { source: 'Flow JSON § Screens (refresh_on_back)', severity: 'error', family: 'document', summary: '`refresh_on_back` on a screen of a Flow without `data_api_version`.' },
  // Screens (document.ts, screens.ts)
  MISSING_SCREEN_ID: { source: 'Flow JSON § Screens', severity: 'error', family: 'screens', summary: 'A screen has no `id`.' },
  INVALID_SCREEN_ID: { source: 'Flow JSON § Screens', severity: 'error', family: 'screens', summary: 'A screen `id` has characters other than letters and underscores.' },
  DUPLICATE_SCREEN_ID: { source: 'Flow JSON § Screens', severity: 'error', family: 'screens', summary: 'Two screens share an `id`.' },
  RESERVED_SCREEN_ID: { source: 'Flow JSON § Screens; Error codes (SCREEN_ID_IS_RESERVED_KEYWORD)', severity: 'error', family: 'screens', summary: '`SUCCESS` (or `success`) is reserved and cannot be a screen `id`.' },
  MISSING_SCREEN_TITLE: { source: 'Flow JSON § Screens', severity: 'error', family: 'screens', summary: 'A screen has no `title`.' },
  UNKNOWN_SCREEN_KEY: { source: 'Flow JSON § Screens', severity: 'error', family: 'screens', summary: 'A screen key Flow JSON does not define.' },
  INVALID_SCREEN_PROPERTY: { source: 'Flow JSON § Screens', severity: 'error', family: 'screens', summary: '`terminal`, `success`, `refresh_on_back` or `sensitive` has the wrong type (booleans; `sensitive` a list of field names).' },
  INVALID_LAYOUT: { source: 'Flow JSON § Layout', severity: 'error', family: 'screens', summary: '`layout` is missing, not `SingleColumnLayout`, or has no `children` list.' },
  DATA_FIELD_INVALID: { source: 'Flow JSON § Dynamic properties (data)', severity: 'error', family: 'screens', summary: 'A declared `data` field has no valid `type`.' },
  DATA_FIELD_NO_EXAMPLE: { source: 'Flow JSON § Dynamic properties (data)', severity: 'error', family: 'screens', summary: 'A declared `data` field has no `__example__`.' },
  DATA_EXAMPLE_TYPE_MISMATCH: { source: 'Flow JSON § Dynamic properties (data)', severity: 'error', family: 'screens', summary: 'A `data` field\'s `__example__` does not match its declared `type`.' },
  SUCCESS_ON_NON_TERMINAL: { source: 'Error codes § Schema validation ("Property \'success\' can only be specified on a terminal screen")', severity: 'error', family: 'screens', summary: '`success` on a screen that is not `terminal`.' },
  NO_SUCCESSFUL_TERMINAL: { source: 'Error codes § Schema validation (INVALID_PROPERTY_VALUE)', severity: 'error', family: 'screens', summary: 'Every terminal screen has `success: false`; at least one must end the Flow successfully.' },
  RICH_TEXT_NOT_ALONE: { source: 'Components § RichText', severity: 'error', family: 'screens', summary: 'Before version 6.3, a RichText shares its screen with other components (from 6.3 a Footer may join it).' },
  COMPLETE_ON_NON_TERMINAL: { source: 'Flow JSON § Actions (complete)', severity: 'error', family: 'screens', summary: 'A `complete` action on a screen that is not `terminal`.' },
  TERMINAL_WITHOUT_FOOTER: { source: 'Flow JSON § Screens (terminal)', severity: 'error', family: 'screens', summary: 'A `terminal` screen has no Footer.' },
  // A warning: Meta's Flow JSON reference asks a terminal screen for a Footer, not for a Footer that completes, and the
  // error messages of Meta's validator (WAFlowJSONValidationError) have no rule against navigating from one.
  TERMINAL_FOOTER_NAVIGATES: { source: 'Flow JSON § Screens (terminal); § Actions', severity: 'warning', family: 'screens', summary: 'The Footer of a `terminal` screen uses `navigate`; a terminal screen is where the Flow ends (`complete`, or `data_exchange`).' },
  NO_TERMINAL_SCREEN: { source: 'Flow JSON § Screens (terminal)', severity: 'error', family: 'screens', summary: 'No screen is `terminal`.' },
  // Components (components.ts, component-rules.ts)
  UNKNOWN_COMPONENT: { source: 'Components', severity: 'error', family: 'components', summary: 'A component `type` Flow JSON does not define.' },
  COMPONENT_NOT_IN_VERSION: { source: 'Components; Changelog', severity: 'error', family: 'components', summary: 'A component used in a version older than the one that introduced it.' },
  MISSING_PROPERTY: { source: 'Components; Flow JSON § Actions', severity: 'error', family: 'components', summary: 'A required property of a component or action is missing.' },
  UNKNOWN_PROPERTY: { source: 'Components', severity: 'error', family: 'components', summary: 'A property the component does not define.' },
  PROPERTY_NOT_IN_VERSION: { source: 'Components; Changelog', severity: 'error', family: 'components', summary: 'A property used in a version older than the one that introduced it.' },
  INVALID_PROPERTY_VALUE: { source: 'Components', severity: 'error', family: 'components', summary: 'A property value Meta does not allow (for example `label-variant` other than "large").' },
  EXPRESSION_NOT_IN_VERSION: { source: 'Flow JSON § Dynamic properties (6.0)', severity: 'error', family: 'components', summary: 'String concatenation or an expression in a property before version 6.0.' },
  EMPTY_TEXT: { source: 'Changelog (6.0)', severity: 'error', family: 'components', summary: 'An empty or blank string property (rejected from version 6.0).' },
  TOO_MANY_COMPONENTS: { source: 'Components § Limitations', severity: 'error', family: 'components', summary: 'A screen has more than 50 components.' },
  COMPONENT_LIMIT_EXCEEDED: {
    source: 'Components; Media upload components',
    severity: 'error',
    family: 'components',
    summary: 'More of one component on a screen than allowed (Footer 1, Image 3, EmbeddedLink 2, OptIn 5, PhotoPicker 1, DocumentPicker 1, NavigationList 2, ImageCarousel 2).',
  },
  EXCLUSIVE_COMPONENTS: { source: 'Media upload components', severity: 'error', family: 'components', summary: 'PhotoPicker and DocumentPicker on the same screen.' },
  IF_NESTING_TOO_DEEP: { source: 'Components § If', severity: 'error', family: 'components', summary: '`If` components nested more than 3 deep.' },
  IF_FOOTER_BRANCHES: { source: 'Error codes § MISSING_FOOTER_IN_IF_ELSE_BRANCHES, MISSING_FOOTER_IN_SWITCH_BRANCHES', severity: 'error', family: 'components', summary: 'A Footer inside an `If` must be in both `then` and `else` and not in a nested `If`; inside a `Switch`, in every case.' },
  IF_CONDITION_INVALID: { source: 'Error codes § "If" component errors', severity: 'error', family: 'components', summary: 'An `If` `condition` that is blank or only literals (it must read a `${form…}`/`${data…}` value).' },
  EMPTY_BRANCH: { source: 'Components § If, Switch', severity: 'error', family: 'components', summary: 'An `If` `then` list or a `Switch` `cases` map is empty.' },
  DUPLICATE_FIELD_NAME: { source: 'Components § Form', severity: 'error', family: 'components', summary: 'Two input components on a screen (or in a form) share a `name`.' },
  EMPTY_ITEM_ID: { source: 'Components § data-source', severity: 'error', family: 'components', summary: 'An item of `data-source` or `list-items` has no `id` or an empty one.' },
  DUPLICATE_ITEM_ID: { source: 'Components § data-source', severity: 'error', family: 'components', summary: 'Two items of one `data-source` or `list-items` share an `id`.' },
  ITEM_COUNT: { source: 'Components (data-source, NavigationList, ImageCarousel)', severity: 'error', family: 'components', summary: 'A `data-source`, `list-items` or `images` list has fewer or more items than Meta allows.' },
  INPUT_OUTSIDE_FORM: { source: 'Error codes § Optional Form (COMPONENTS_OUTSIDE_FORM)', severity: 'error', family: 'components', summary: 'An input component outside the Form, on a screen that has a Form.' },
  INVALID_PROPERTY_COMBINATION: { source: 'Error codes § Schema validation (INVALID_DEPENDENCIES, NOT_KEYWORD_SCHEMA_VALIDATION_FAILED); Components', severity: 'error', family: 'components', summary: 'Properties that do not go together: Footer `left-caption` without `right-caption` (or with `center-caption`), TextInput `pattern` with `input-type` email or phone, a NavigationList item `end` with `media-size` large, two `badge`s in one list.' },
  MIN_GREATER_THAN_MAX: { source: 'Error codes § Min max limit violation (MIN_VALUE_GREATER_THAN_MAX)', severity: 'error', family: 'components', summary: 'A `min-…` property is greater than its `max-…` (selected items, characters, uploads, days).' },
  VALUE_OUT_OF_RANGE: { source: 'Error codes § Min max limit violation; Media upload components', severity: 'error', family: 'components', summary: 'A number outside Meta\'s range (uploaded photos or documents 0–30, `max-file-size-kb` 1–25600).' },
  COMPONENT_NOT_ALLOWED_IN_BRANCH: { source: 'Components § If, § Switch (allowed components); Meta\'s Flow JSON schema', severity: 'error', family: 'components', summary: 'A component that an `If` branch or a `Switch` case cannot hold (for example RichText, a Form, a NavigationList, an ImageCarousel, or ChipsSelector before 7.1).' },
  NAVIGATION_LIST_PLACEMENT: { source: 'Components § NavigationList (Limits and restrictions)', severity: 'error', family: 'components', summary: 'A NavigationList on a terminal screen, or next to components other than NavigationLists.' },
  NAVIGATION_LIST_ACTION: { source: 'Components § NavigationList', severity: 'error', family: 'components', summary: 'A NavigationList without an `on-click-action`, or with one both on the list and on its items.' },
  // An error: Meta's Flow JSON schema gives an input inside a Form a property list without init-value and
  // error-message and no additional properties (the "in form" variants of its component schemas, e.g.
  // WAFlowJSONTextInputComponentSchemaV500), so it refuses them there: "Property 'init-value' is not allowed".
  FORM_PROPERTY_INSIDE_FORM: { source: 'Components (init-value, error-message: "Only available when component is outside Form component"); Meta\'s Flow JSON schema', severity: 'error', family: 'components', summary: '`init-value` or `error-message` on an input inside a Form (use the Form\'s `init-values` / `error-messages`).' },
  TOO_MANY_SCREENS: { source: 'Error codes § Min max limit violation (MAX_SCREENS_NUMBER)', severity: 'error', family: 'document', summary: 'More than 100 screens.' },
  TEXT_TOO_LONG: { source: 'Components', severity: 'warning', family: 'components', summary: 'A label or text is longer than Meta\'s documented limit (not strictly enforced).' },
  UNKNOWN_ACTION: { source: 'Flow JSON § Actions', severity: 'error', family: 'components', summary: 'An action `name` Flow JSON does not define.' },
  ACTION_NOT_IN_VERSION: { source: 'Flow JSON § Actions; Changelog (6.0)', severity: 'error', family: 'components', summary: 'An action used in a version older than the one that introduced it (`update_data`, `open_url`: 6.0), in any action property or item.' },
  ACTION_NOT_ALLOWED: { source: 'Components (action properties)', severity: 'error', family: 'components', summary: 'The action cannot be used on this component property.' },
  // Screen graph (screen-graph.ts): edges from navigate actions and from the routing model
  NAVIGATE_UNKNOWN_SCREEN: { source: 'Flow JSON § Actions (navigate)', severity: 'error', family: 'screen graph', summary: 'A `navigate` action targets a screen that does not exist.' },
  NAVIGATE_SELF: { source: 'Flow JSON § Routing model', severity: 'error', family: 'screen graph', summary: 'A `navigate` action targets its own screen.' },
  NAVIGATION_CYCLE: { source: 'Flow JSON § Routing model; Error codes § Routing model errors ("Loop detected in the routing model")', severity: 'error', family: 'screen graph', summary: 'Routes go round in a cycle in a Flow with a `routing_model` or an endpoint: Flows only move forward.' },
  NAVIGATE_LOOP: { source: 'Error codes § Routing model errors (loops are checked in data channel Flows only)', severity: 'warning', family: 'screen graph', summary: 'Navigate actions go round in a cycle in a Flow without an endpoint or `routing_model` (Meta checks loops in endpoint Flows only).' },
  ENTRY_SCREEN_COUNT: { source: 'Flow JSON § Routing model', severity: 'error', family: 'screen graph', summary: 'No entry screen: every screen is the target of a route, so the Flow has nowhere to start.' },
  SECOND_ENTRY_SCREEN: { source: 'Flow JSON § Routing model (entry screen); Error codes § Routing model errors (screens must be connected)', severity: 'warning', family: 'screen graph', summary: 'Another screen without inbound routes that leads into the Flow: only a message that opens the Flow on it shows it.' },
  UNREACHABLE_SCREEN: { source: 'Flow JSON § Routing model; Error codes (INVALID_ROUTING_MODEL)', severity: 'error', family: 'screen graph', summary: 'A screen cut off from the entry screen: no route joins it to the screens the entry screen leads to (reported at that screen).' },
  // Routing model (routing-model.ts)
  ROUTING_MODEL_INVALID: { source: 'Flow JSON § Routing model', severity: 'error', family: 'routing model', summary: '`routing_model` is not an object that maps each screen id to a list of screen ids.' },
  ROUTING_MODEL_MISSING_SCREEN: { source: 'Error codes § Routing model errors ("Following screens are missing in the routing model")', severity: 'error', family: 'routing model', summary: 'In a Flow with `data_api_version`, a screen is neither a key nor a route of a non-empty `routing_model`.' },
  ROUTING_MODEL_UNKNOWN_SCREEN: { source: 'Flow JSON § Routing model', severity: 'error', family: 'routing model', summary: 'A `routing_model` key or route names a screen that does not exist.' },
  ROUTING_MODEL_SELF_ROUTE: { source: 'Flow JSON § Routing model', severity: 'error', family: 'routing model', summary: 'A screen routes to itself in the `routing_model`.' },
  TOO_MANY_BRANCHES: {
    source: 'Error codes § Routing model errors ("Number of branches exceeds the max limit of 10 for screen")',
    severity: 'error',
    family: 'screen graph',
    summary: 'A screen has more than 10 routes out of it (in the `routing_model`, or, without one, distinct `navigate` targets).',
  },
  NAVIGATE_NOT_IN_ROUTING_MODEL: { source: 'Flow JSON § Routing model', severity: 'error', family: 'routing model', summary: 'A `navigate` action moves along an edge the `routing_model` does not list.' },
  // Data model and references (data-model.ts)
  UNKNOWN_FORM_REFERENCE: { source: 'Flow JSON § Dynamic properties (form)', severity: 'error', family: 'data model', summary: '`${form.x}` names no input component on that screen.' },
  UNKNOWN_DATA_REFERENCE: { source: 'Flow JSON § Dynamic properties (data)', severity: 'error', family: 'data model', summary: '`${data.x}` names no declared `data` field of that screen.' },
  UNKNOWN_SCREEN_REFERENCE: { source: 'Flow JSON § Dynamic properties (global, 4.0)', severity: 'error', family: 'data model', summary: '`${screen.NAME.form.x}` or `${screen.NAME.data.x}` names no existing screen or field.' },
  DATA_REFERENCE_TYPE_MISMATCH: { source: 'Flow JSON § Dynamic properties; Components', severity: 'error', family: 'data model', summary: 'A property bound to `${data.x}` expects another type than the field declares (for example `visible` bound to a string).' },
  NAVIGATE_PAYLOAD_MISSING_FIELD: { source: 'Flow JSON § Actions (navigate payload)', severity: 'error', family: 'data model', summary: 'A `navigate` payload lacks a field the target screen declares in `data`.' },
  // An error, as Meta's validator reports it: "The payload field 'x' on screen 'A' is missing in the data model of
  // screen 'B'." (WAFlowJSONValidationError, getPayloadFieldIsMissingInNextScreenErrorMsg).
  NAVIGATE_PAYLOAD_UNKNOWN_FIELD: { source: 'Flow JSON § Actions (navigate payload); Meta\'s validator ("The payload field ... is missing in the data model of screen ...")', severity: 'error', family: 'data model', summary: 'A `navigate` payload has a field the target screen does not declare in `data`.' },
  NAVIGATE_PAYLOAD_TYPE_MISMATCH: { source: 'Flow JSON § Actions (navigate payload)', severity: 'error', family: 'data model', summary: 'A `navigate` payload value has another type than the target screen declares for it.' },
  MEDIA_IN_NAVIGATE_PAYLOAD: { source: 'Media upload components; Error codes § On-click action errors', severity: 'error', family: 'data model', summary: 'A PhotoPicker or DocumentPicker value in a `navigate` payload (read it with `${screen.NAME.form.x}` in the final payload).' },
  MEDIA_PAYLOAD_NOT_TOP_LEVEL: { source: 'Error codes § Native component errors', severity: 'error', family: 'data model', summary: 'A PhotoPicker or DocumentPicker value nested in a `complete` or `data_exchange` payload; it must be a top-level string value.' },
  MEDIA_IN_COMPLETE_PAYLOAD: { source: 'Media upload components § Limitations and restrictions', severity: 'error', family: 'data model', summary: 'The pickers in a `complete` payload allow more than 10 files together (a picker allows 30 unless `max-uploaded-…` says less).' },
  MEDIA_IN_INIT_VALUES: { source: 'Error codes § Native component errors (NATIVE_COMPONENT_IN_FORM_INIT_VALUES)', severity: 'error', family: 'data model', summary: 'Form `init-values` sets a PhotoPicker or DocumentPicker.' },
  SCREEN_REFERENCE_TO_SELF: { source: 'Error codes § Screen data model errors (INVALID_SCREEN_DATA)', severity: 'error', family: 'data model', summary: '`${screen.NAME.data.x}` names the screen it is on; use `${data.x}`.' },
  // Design (design.ts): warnings from Meta's and 360dialog's Flow guidelines; each can be silenced
  DESIGN_SENTENCE_CASE: { source: 'Best practices; 360dialog guidelines', severity: 'warning', family: 'design', summary: 'A title, heading or button label in Title Case; Meta\'s guidelines ask for sentence case.' },
  DESIGN_VAGUE_CTA: { source: 'Best practices; 360dialog guidelines', severity: 'warning', family: 'design', summary: 'The Footer of a terminal screen says "Submit", "OK", "Next"…; say what happens next ("Book appointment").' },
  DESIGN_TOO_MANY_INPUTS: { source: 'Best practices; 360dialog guidelines', severity: 'warning', family: 'design', summary: 'A screen asks for more than 10 inputs; split it into shorter screens.' },
} satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

export function isRuleCode(code: string): code is RuleCode {
  return Object.prototype.hasOwnProperty.call(RULES, code);
}
