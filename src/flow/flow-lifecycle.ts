import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FlowResourceProperties } from './contract';
import { FlowApi, FlowHandlerResponse, LifecycleDependencies } from './lifecycle/api';
import { createFlow } from './lifecycle/create';
import { deleteFlow } from './lifecycle/delete';
import { desiredFlow } from './lifecycle/desired';
import { updateFlow } from './lifecycle/update';

export type { FlowHandlerResponse, LifecycleDependencies } from './lifecycle/api';

/**
 * Creates, converges and retires one WhatsApp Flow per CloudFormation event. Each concern has its file in
 * `lifecycle/`: desired (the properties), api (the requests; after a lost answer the retry reads first), create
 * (create, adopt, clean up after a failed Create), update (replacement, re-creation), plan and converge (desired
 * against observed, and the calls that close the gap), restore (a live Flow back on the air), delete.
 */
export class FlowLifecycle {
  private readonly api: FlowApi;

  constructor(deps: LifecycleDependencies) {
    this.api = new FlowApi(deps);
  }

  /**
   * Whether a mutating call of this invocation was applied (or may have been): an operation throttled out is
   * handed over to wait for the rate limit only while this is false.
   */
  public get mutated(): boolean {
    return this.api.mutated;
  }

  public async handle(event: CloudFormationCustomResourceEvent): Promise<FlowHandlerResponse> {
    const desired = desiredFlow(event.ResourceProperties as unknown as FlowResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        this.api.log(`Create: Flow '${desired.flowName}' in ${desired.wabaId}`);
        return createFlow(this.api, desired);
      case 'Update':
        this.api.log(`Update: Flow ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return updateFlow(this.api, event.PhysicalResourceId, desired,
          desiredFlow(event.OldResourceProperties as unknown as FlowResourceProperties), event.StackId);
      case 'Delete':
        this.api.log(`Delete: Flow ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return deleteFlow(this.api, event.PhysicalResourceId, desired);
    }
  }
}
