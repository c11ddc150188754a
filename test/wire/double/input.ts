/**
 * The restJson1 side of the double's routes: where an operation's members travel and how a member is read.
 * Shared by the Flow, public-key and template routes.
 */
import { ServiceError } from './errors';
import type { Context } from './server';

/** An operation's members: query parameters for GET and DELETE, the JSON body for POST and PUT. */
export type Input = Record<string, unknown>;

export interface Route {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  /** restJson1 binding of these operations: GET/DELETE members are @httpQuery, POST and PUT members are the JSON body. */
  readonly from: 'query' | 'body';
  /** Members the model marks required; the SDK does not check them client-side, the service does. */
  readonly required: string[];
  run(input: Input, ctx: Context): object;
}

/** A route from `'METHOD /path'`, with the SDK's HTTP binding of the operation. */
export function defineRoute(operation: string, http: string, required: string[], run: Route['run']): Route {
  const [method, path] = http.split(' ');
  return { operation, method, path, from: method === 'POST' || method === 'PUT' ? 'body' : 'query', required, run };
}

export function str(i: Input, name: string): string {
  const v = i[name];
  if (typeof v !== 'string' || v === '') {
    throw new ServiceError('ValidationException', `'${name}' must be a non-empty string.`);
  }
  return v;
}

export function optStr(i: Input, name: string): string | undefined {
  return i[name] === undefined ? undefined : str(i, name);
}

export function optInt(i: Input, name: string): number | undefined {
  return i[name] === undefined ? undefined : Number(i[name]);
}

export function bool(i: Input, name: string): boolean | undefined {
  const v = i[name];
  if (v !== undefined && typeof v !== 'boolean') throw new ServiceError('ValidationException', `'${name}' must be a boolean.`);
  return v;
}

/** Blobs travel as base64 strings in restJson1 bodies. */
export function blob(i: Input, name: string): Buffer | undefined {
  const v = i[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ServiceError('ValidationException', `'${name}' must be a base64 string.`);
  return Buffer.from(v, 'base64');
}
