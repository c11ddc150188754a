/**
 * Flows with endpoints and business public keys for `@aws-sdk/client-socialmessaging` 3.1069.0, which predates them:
 * it drops `endpointUri` and `metaAppId` from CreateWhatsAppFlow and UpdateWhatsAppFlow requests, and has no
 * public-key operations.
 *
 * The commands here are built exactly as the client builds its own (operation schemas and `Command.classBuilder`),
 * so that signing, retries, endpoint resolution and error parsing are the client's. Wire shapes from AWS's API
 * reference. Delete this module when the registry serves 3.1126.0 or newer, and use the client's commands.
 */
import {
  CreateWhatsAppFlowOutput,
  CreateWhatsAppFlowOutput$,
  MetaFlowCategory,
  SocialMessagingClientResolvedConfig,
  __MetadataBearer as MetadataBearer,
  UpdateWhatsAppFlowOutput,
  UpdateWhatsAppFlowOutput$,
} from '@aws-sdk/client-socialmessaging';
import { Command } from '@smithy/core/client';
import { getEndpointPlugin } from '@smithy/core/endpoints';


/** The service's schema namespace: its modeled errors (throttling, validation, …) are registered under it. */
const NAMESPACE = 'com.amazonaws.socialmessaging';

/** Schema type codes of @smithy/core's static schemas (as the generated client uses them). */
const STRING = 0;
const BOOLEAN = 2;
const BLOB = 21;
/** A list of strings: the list flag (64) on the string code. */
const LIST_OF_STRINGS = 64 + STRING;
const STRUCTURE = 3;
const OPERATION = 9;

/** The client's endpoint parameters (its `commonParams`, which it does not export). */
const ENDPOINT_PARAMETERS = {
  UseFIPS: { type: 'builtInParams', name: 'useFipsEndpoint' },
  Endpoint: { type: 'builtInParams', name: 'endpoint' },
  Region: { type: 'builtInParams', name: 'region' },
  UseDualStack: { type: 'builtInParams', name: 'useDualstackEndpoint' },
} as const;

type Schema = readonly unknown[];

function structure(name: string, members: Record<string, unknown>, required = 0): Schema {
  return [STRUCTURE, NAMESPACE, name, 0, Object.keys(members), Object.values(members), required];
}

function operation(name: string, method: string, path: string, input: Schema, output: Schema): Schema {
  return [OPERATION, NAMESPACE, name, { http: [method, path, 200] }, () => input, () => output];
}

const query = (name: string) => [STRING, { httpQuery: name }];

// Required members come first: the last number of a structure counts them.
const CreateWhatsAppFlowInput$ = structure('CreateWhatsAppFlowInput', {
  id: STRING,
  flowName: STRING,
  categories: LIST_OF_STRINGS,
  flowJson: BLOB,
  publish: BOOLEAN,
  cloneFlowId: STRING,
  endpointUri: STRING,
}, 3);

const UpdateWhatsAppFlowInput$ = structure('UpdateWhatsAppFlowInput', {
  id: STRING, flowId: STRING, flowName: STRING, categories: LIST_OF_STRINGS, endpointUri: STRING, metaAppId: STRING,
}, 2);

const PutWhatsAppBusinessPublicKeyInput$ = structure('PutWhatsAppBusinessPublicKeyInput', {
  originationPhoneNumberId: STRING, businessPublicKey: STRING, kmsKeyArn: STRING,
}, 1);
const PutWhatsAppBusinessPublicKeyOutput$ = structure('PutWhatsAppBusinessPublicKeyOutput', {});

const GetWhatsAppBusinessPublicKeyInput$ = structure('GetWhatsAppBusinessPublicKeyInput', {
  originationPhoneNumberId: query('originationPhoneNumberId'),
}, 1);
const GetWhatsAppBusinessPublicKeyOutput$ = structure('GetWhatsAppBusinessPublicKeyOutput', {
  businessPublicKey: STRING, businessPublicKeySignatureStatus: STRING,
});

/** A command of this client, described by its operation schema. */
function command<Input extends object, Output extends object>(name: string, schema: Schema) {
  return Command.classBuilder<Input, Output & MetadataBearer, SocialMessagingClientResolvedConfig, any, any>()
    .ep(ENDPOINT_PARAMETERS)
    .m(function (this: any, commandClass: any, _cs: any, config: any) {
      return [getEndpointPlugin(config, commandClass.getEndpointParameterInstructions())];
    })
    .s('SocialMessaging', name, {})
    .n('SocialMessagingClient', `${name}Command`)
    .sc(schema as any)
    .build();
}

export interface CreateWhatsAppFlowWithEndpointInput {
  readonly id: string;
  readonly flowName: string;
  readonly categories: MetaFlowCategory[];
  readonly flowJson?: Uint8Array;
  readonly publish?: boolean;
  readonly cloneFlowId?: string;
  /** The HTTPS URL Meta calls for a dynamic Flow's data exchange. */
  readonly endpointUri?: string;
}

/** CreateWhatsAppFlow with `endpointUri`. */
export class CreateWhatsAppFlowWithEndpointCommand extends command<CreateWhatsAppFlowWithEndpointInput, CreateWhatsAppFlowOutput>(
  'CreateWhatsAppFlow', operation('CreateWhatsAppFlow', 'POST', '/v1/whatsapp/flow/create', CreateWhatsAppFlowInput$, CreateWhatsAppFlowOutput$ as Schema)) {}

export interface UpdateWhatsAppFlowWithEndpointInput {
  readonly id: string;
  readonly flowId: string;
  readonly flowName?: string;
  readonly categories?: MetaFlowCategory[];
  readonly endpointUri?: string;
  /** The Meta app whose key signs the endpoint's traffic; attaching an app cannot be undone. */
  readonly metaAppId?: string;
}

/** UpdateWhatsAppFlow with `endpointUri` and `metaAppId`. */
export class UpdateWhatsAppFlowWithEndpointCommand extends command<UpdateWhatsAppFlowWithEndpointInput, UpdateWhatsAppFlowOutput>(
  'UpdateWhatsAppFlow', operation('UpdateWhatsAppFlow', 'POST', '/v1/whatsapp/flow/update', UpdateWhatsAppFlowInput$, UpdateWhatsAppFlowOutput$ as Schema)) {}

export interface PutWhatsAppBusinessPublicKeyInput {
  /** The phone number id (`phone-number-id-…`). */
  readonly originationPhoneNumberId: string;
  /** A PEM public key; exactly one of this and `kmsKeyArn`. */
  readonly businessPublicKey?: string;
  /** A KMS asymmetric key (RSA_2048, ENCRYPT_DECRYPT) whose public key the service reads and uploads. */
  readonly kmsKeyArn?: string;
}

/** PutWhatsAppBusinessPublicKey: `PUT /v1/whatsapp/business-public-key`, 200 with an empty body. */
export class PutWhatsAppBusinessPublicKeyCommand extends command<PutWhatsAppBusinessPublicKeyInput, {}>(
  'PutWhatsAppBusinessPublicKey', operation('PutWhatsAppBusinessPublicKey', 'PUT', '/v1/whatsapp/business-public-key',
    PutWhatsAppBusinessPublicKeyInput$, PutWhatsAppBusinessPublicKeyOutput$)) {}

export interface GetWhatsAppBusinessPublicKeyInput {
  readonly originationPhoneNumberId: string;
}

export interface GetWhatsAppBusinessPublicKeyOutput {
  readonly businessPublicKey?: string;
  /** `VALID`, or `MISMATCH` when Meta's copy is not signed by the key registered now. */
  readonly businessPublicKeySignatureStatus?: string;
}

/** GetWhatsAppBusinessPublicKey: `GET /v1/whatsapp/business-public-key?originationPhoneNumberId=…`. */
export class GetWhatsAppBusinessPublicKeyCommand extends command<GetWhatsAppBusinessPublicKeyInput, GetWhatsAppBusinessPublicKeyOutput>(
  'GetWhatsAppBusinessPublicKey', operation('GetWhatsAppBusinessPublicKey', 'GET', '/v1/whatsapp/business-public-key',
    GetWhatsAppBusinessPublicKeyInput$, GetWhatsAppBusinessPublicKeyOutput$)) {}
