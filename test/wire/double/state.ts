import { ServiceError } from './errors';

export type FlowStatus = 'DRAFT' | 'PUBLISHED' | 'DEPRECATED' | 'BLOCKED' | 'THROTTLED';

/** One flow as the double's Meta side keeps it. Deleted flows stay in the store, marked `deleted`. */
export interface FlowRecord {
  readonly wabaId: string;
  readonly flowId: string;
  name: string;
  categories: string[];
  status: FlowStatus;
  json?: Buffer;
  validationErrors: string[];
  deleted: boolean;
  /** Bumped by GetWhatsAppFlowPreview `invalidate`, so a fresh preview URL differs. */
  previewGeneration: number;
  /** The data-exchange endpoint, as CreateWhatsAppFlow or UpdateWhatsAppFlow sent it. */
  endpointUri?: string;
  /** The attached Meta app; attaching cannot be undone. */
  metaAppId?: string;
}

/**
 * Meta's Flow JSON check: returns the validation errors (empty when valid).
 * Only called when a flow has JSON; a flow without JSON has no errors but cannot be published.
 */
export type FlowJsonValidator = (json: Buffer, flow: { readonly flowId: string; readonly name: string }) => string[];

/** Default check: parses, has `version` and a non-empty `screens` array. */
export const defaultFlowJsonValidator: FlowJsonValidator = (json) => {
  let doc: any;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch (e) {
    return [`INVALID_JSON: ${(e as Error).message}`];
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return ['INVALID_JSON: Flow JSON must be an object'];
  }
  const errors: string[] = [];
  if (typeof doc.version !== 'string' || doc.version === '') {
    errors.push("MISSING_REQUIRED_PROPERTY: The property 'version' is required.");
  }
  if (!Array.isArray(doc.screens) || doc.screens.length === 0) {
    errors.push("MISSING_REQUIRED_PROPERTY: The property 'screens' must be a non-empty array.");
  }
  return errors;
};

export interface FlowStoreOptions {
  /** First flow id handed out. @default 1000000000000001 */
  readonly firstFlowId?: number;
  /** Page size of ListWhatsAppFlows when the caller sends no maxResults. Small so paging is exercised. @default 2 */
  readonly defaultPageSize?: number;
  /** When set, any other WABA id is a ResourceNotFoundException. @default - every id is accepted */
  readonly knownWabaIds?: string[];
  /** @default defaultFlowJsonValidator */
  readonly validator?: FlowJsonValidator;
}

export interface CreateFlowInput {
  readonly wabaId: string;
  readonly name: string;
  readonly categories: string[];
  readonly json?: Buffer;
  readonly publish?: boolean;
  readonly cloneFlowId?: string;
  readonly endpointUri?: string;
}

/** The flow state machine behind the wire layer. Every method either applies fully or throws a ServiceError. */
export class FlowStore {
  /** Replace to script Meta's validation, e.g. `store.validator = () => Array(100).fill('x'.repeat(200))`. */
  public validator: FlowJsonValidator;
  private flows: FlowRecord[] = [];
  private nextId: number;

  constructor(private readonly options: FlowStoreOptions = {}) {
    this.validator = options.validator ?? defaultFlowJsonValidator;
    this.nextId = options.firstFlowId ?? 1000000000000001;
  }

  create(input: CreateFlowInput): { flowId: string; validationErrors: string[] } {
    this.checkWaba(input.wabaId);
    this.checkNameFree(input.wabaId, input.name);
    let json = input.json;
    if (input.cloneFlowId !== undefined) {
      json = json ?? this.get(input.wabaId, input.cloneFlowId).json;
    }
    const flow: FlowRecord = {
      wabaId: input.wabaId,
      flowId: String(this.nextId++),
      name: input.name,
      categories: [...input.categories],
      status: 'DRAFT',
      json,
      validationErrors: [],
      deleted: false,
      previewGeneration: 0,
      endpointUri: input.endpointUri,
    };
    flow.validationErrors = this.validate(flow);
    if (input.publish && flow.json !== undefined && flow.validationErrors.length === 0) {
      flow.status = 'PUBLISHED';
    }
    this.flows.push(flow);
    return { flowId: flow.flowId, validationErrors: [...flow.validationErrors] };
  }

  update(wabaId: string, flowId: string, changes: { name?: string; categories?: string[]; endpointUri?: string; metaAppId?: string }): void {
    const flow = this.get(wabaId, flowId);
    this.rejectDeprecated(flow);
    if (changes.name !== undefined && changes.name !== flow.name) {
      this.checkNameFree(wabaId, changes.name);
      flow.name = changes.name;
    }
    if (changes.categories !== undefined) {
      flow.categories = [...changes.categories];
    }
    if (changes.endpointUri !== undefined) flow.endpointUri = changes.endpointUri;
    if (changes.metaAppId !== undefined) {
      if (flow.metaAppId !== undefined && flow.metaAppId !== changes.metaAppId) {
        throw new ServiceError('ValidationException', `Flow ${flowId} is already attached to app ${flow.metaAppId}; an app cannot be changed.`);
      }
      flow.metaAppId = changes.metaAppId;
    }
  }

  updateAssets(wabaId: string, flowId: string, json: Buffer): string[] {
    const flow = this.get(wabaId, flowId);
    this.rejectDeprecated(flow);
    flow.json = json;
    flow.validationErrors = this.validate(flow);
    // A published flow's JSON cannot change in place: new assets make a new draft.
    if (flow.status === 'PUBLISHED') {
      flow.status = 'DRAFT';
    }
    return [...flow.validationErrors];
  }

  publish(wabaId: string, flowId: string): void {
    const flow = this.get(wabaId, flowId);
    if (flow.status !== 'DRAFT') {
      throw new ServiceError('ValidationException', `Flow ${flowId} is ${flow.status}; only a DRAFT flow can be published.`);
    }
    if (flow.json === undefined) {
      throw new ServiceError('ValidationException', `Flow ${flowId} has no Flow JSON; upload assets before publishing.`);
    }
    if (flow.validationErrors.length > 0) {
      throw new ServiceError('ValidationException',
        `Flow ${flowId} has validation errors and cannot be published: ${flow.validationErrors.join('; ')}`);
    }
    flow.status = 'PUBLISHED';
  }

  deprecate(wabaId: string, flowId: string): void {
    const flow = this.get(wabaId, flowId);
    if (flow.status !== 'PUBLISHED') {
      throw new ServiceError('ValidationException', `Flow ${flowId} is ${flow.status}; only a PUBLISHED flow can be deprecated.`);
    }
    flow.status = 'DEPRECATED';
  }

  delete(wabaId: string, flowId: string): void {
    const flow = this.get(wabaId, flowId);
    if (flow.status !== 'DRAFT') {
      throw new ServiceError('ValidationException', `Flow ${flowId} is ${flow.status}; only a DRAFT flow can be deleted.`);
    }
    flow.deleted = true;
  }

  /** A live flow of this WABA, or ResourceNotFoundException. */
  get(wabaId: string, flowId: string): FlowRecord {
    this.checkWaba(wabaId);
    const flow = this.flows.find(f => f.wabaId === wabaId && f.flowId === flowId && !f.deleted);
    if (!flow) {
      throw new ServiceError('ResourceNotFoundException', `Flow ${flowId} not found in WhatsApp Business Account ${wabaId}.`);
    }
    return flow;
  }

  /** One page of a WABA's live flows, in creation order. The token is opaque to callers. */
  list(wabaId: string, nextToken?: string, maxResults?: number): { flows: FlowRecord[]; nextToken?: string } {
    this.checkWaba(wabaId);
    const live = this.flows.filter(f => f.wabaId === wabaId && !f.deleted);
    let start = 0;
    if (nextToken !== undefined) {
      const after = Buffer.from(nextToken, 'base64').toString('utf8');
      if (!/^\d+$/.test(after)) {
        throw new ServiceError('InvalidParametersException', 'Invalid nextToken.');
      }
      // Resume after the last flow seen, even if it was deleted meanwhile (ids only grow).
      start = live.findIndex(f => Number(f.flowId) > Number(after));
      if (start < 0) start = live.length;
    }
    const size = maxResults ?? this.options.defaultPageSize ?? 2;
    if (!Number.isInteger(size) || size < 1) {
      throw new ServiceError('ValidationException', `maxResults must be a positive integer, got ${maxResults}.`);
    }
    const page = live.slice(start, start + size);
    const more = start + size < live.length;
    return {
      flows: page,
      nextToken: more ? Buffer.from(page[page.length - 1].flowId).toString('base64') : undefined,
    };
  }

  // ---- test controls ----

  /** Every flow ever created, deleted ones included (for "nothing left behind" checks). */
  all(): FlowRecord[] {
    return [...this.flows];
  }

  /** Live (non-deleted) flows, optionally of one WABA. */
  live(wabaId?: string): FlowRecord[] {
    return this.flows.filter(f => !f.deleted && (wabaId === undefined || f.wabaId === wabaId));
  }

  /** Find by flow id across WABAs, deleted ones included. */
  find(flowId: string): FlowRecord | undefined {
    return this.flows.find(f => f.flowId === flowId);
  }

  /** Force a status Meta would set on its own (BLOCKED, THROTTLED), or any other. */
  setStatus(flowId: string, status: FlowStatus): void {
    const flow = this.find(flowId);
    if (!flow) throw new Error(`no flow ${flowId}`);
    flow.status = status;
  }

  reset(): void {
    this.flows = [];
    this.nextId = this.options.firstFlowId ?? 1000000000000001;
    this.validator = this.options.validator ?? defaultFlowJsonValidator;
  }

  private validate(flow: FlowRecord): string[] {
    return flow.json === undefined ? [] : this.validator(flow.json, { flowId: flow.flowId, name: flow.name });
  }

  private checkWaba(wabaId: string): void {
    if (this.options.knownWabaIds && !this.options.knownWabaIds.includes(wabaId)) {
      throw new ServiceError('ResourceNotFoundException', `WhatsApp Business Account ${wabaId} not found.`);
    }
  }

  private checkNameFree(wabaId: string, name: string): void {
    if (this.live(wabaId).some(f => f.name === name)) {
      throw new ServiceError('ValidationException', `A flow with the name '${name}' already exists in WhatsApp Business Account ${wabaId}.`);
    }
  }

  private rejectDeprecated(flow: FlowRecord): void {
    if (flow.status === 'DEPRECATED') {
      throw new ServiceError('ValidationException', `Flow ${flow.flowId} is DEPRECATED and can no longer be changed.`);
    }
  }
}
