/**
 * What WhatsAppFlowEndpoint tells its function about the Flows bound to it: the compact answer contract of each
 * (screens, their declared data shapes, routes; not the Flow JSON), in one environment variable, deflated and
 * base64-encoded (runtime/answer-guard.ts reads it). It is computed at synth time, once every Flow is bound.
 *
 * Lambda allows 4 KB of environment variables in all. The endpoint's other variables (their names, up to four ARNs,
 * and an error message of at most 200 characters, up to 800 bytes in UTF-8) take at most about 1.7 KB, so the
 * contract may take `MAX_CONTRACT_BYTES` (2.25 KB); a larger one (dozens of big dynamic Flows behind one endpoint) is not shipped, and a synth
 * warning says so. A Flow whose Flow JSON is not known at synth time has no contract; then no answer can be told
 * wrong (it may be that Flow's), so no contract is shipped either, and a warning says why.
 */
import { Annotations, Lazy, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EndpointEnv } from './contract';
import { encodeContracts } from './runtime/answer-guard';
import { ContractSummary, FlowContract } from '../validator/answer-check';
import { summarizeFlow } from '../validator/answer-summary';

/** The most bytes the encoded contract (with its variable's name) may take of Lambda's 4 KB environment. */
export const MAX_CONTRACT_BYTES = 2_304;

/** A Flow as the endpoint sees it at synth time: WhatsAppFlow keeps its Flow JSON text in `_declared`. */
interface DeclaringFlow {
  readonly _declared?: { readonly flowJson?: { readonly text: string; readonly source: string } };
}

type Collected = { readonly summary?: ContractSummary; readonly warning?: { readonly id: string; readonly message: string } };

export class AnswerContracts {
  private readonly flows: Construct[] = [];
  private collected?: Collected;
  /** How many Flows `collected` was computed for: a Flow bound later computes it again. */
  private collectedFor = -1;

  constructor(endpoint: Construct, fn: lambda.Function) {
    fn.addEnvironment(EndpointEnv.ANSWER_CONTRACT, Lazy.string({
      produce: () => {
        const summary = this.collect().summary;
        return summary ? encodeContracts(summary) : undefined;
      },
    }));
    endpoint.node.addValidation({
      validate: () => {
        const warning = this.collect().warning;
        if (warning) Annotations.of(endpoint).addWarningV2(warning.id, warning.message);
        return [];
      },
    });
  }

  /** Called when a Flow binds the endpoint. */
  public register(flow: Construct): void {
    this.flows.push(flow);
  }

  /** The summary of every bound Flow, or why there is none; computed once, after every Flow is bound. */
  private collect(): Collected {
    if (this.collected && this.collectedFor === this.flows.length) return this.collected;
    this.collectedFor = this.flows.length;
    const contracts: FlowContract[] = [];
    const seen = new Set<string>();
    for (const flow of this.flows) {
      const contract = contractOf(flow);
      if (!contract) {
        return this.collected = {
          warning: {
            id: 'cdk-whatsapp-flows:ANSWER_CONTRACT_UNKNOWN',
            message: `The Flow JSON of ${flow.node.path} is not known at synth time, so the endpoint cannot tell its answers from wrong ones: `
              + 'it checks no answers (AnswerContractViolations stays empty). Set checkAnswers: false to say so.',
          },
        };
      }
      const key = JSON.stringify(contract);
      if (!seen.has(key)) contracts.push(contract);
      seen.add(key);
    }
    if (contracts.length === 0) return this.collected = {};
    const summary: ContractSummary = { v: 1, f: contracts };
    const bytes = EndpointEnv.ANSWER_CONTRACT.length + encodeContracts(summary).length;
    if (bytes > MAX_CONTRACT_BYTES) {
      return this.collected = {
        warning: {
          id: 'cdk-whatsapp-flows:ANSWER_CONTRACT_TOO_LARGE',
          message: `The answer contracts of the ${contracts.length} Flows bound to this endpoint take ${bytes} bytes compressed, more than the `
            + `${MAX_CONTRACT_BYTES} bytes of Lambda's 4 KB environment they may use: the endpoint checks no answers. Split the Flows `
            + 'over more endpoints, or set checkAnswers: false and test the answers with FlowAnswerContract instead.',
        },
      };
    }
    return this.collected = { summary };
  }
}

/** The contract of a bound Flow; undefined when its Flow JSON is not known at synth time. */
function contractOf(flow: Construct): FlowContract | undefined {
  const text = (flow as DeclaringFlow)._declared?.flowJson?.text;
  if (typeof text !== 'string' || Token.isUnresolved(text)) return undefined;
  try {
    const contract = summarizeFlow(JSON.parse(text.replace(/^\uFEFF/, '')));
    return contract && Object.keys(contract.s).length > 0 ? contract : undefined;
  } catch {
    return undefined;
  }
}
