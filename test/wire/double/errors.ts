/**
 * Service errors as the SDK models them (dist-cjs/schemas: each error shape's `httpError`).
 * The SDK picks the exception class from the `x-amzn-errortype` header, so the name is the contract.
 */
export const ERROR_STATUS = {
  ValidationException: 400,
  InvalidParametersException: 400,
  LimitExceededException: 400,
  AccessDeniedException: 403,
  AccessDeniedByMetaException: 403,
  ResourceNotFoundException: 404,
  ThrottledRequestException: 429,
  InternalServiceException: 500,
  DependencyException: 502,
} as const;

export type ServiceErrorName = keyof typeof ERROR_STATUS;

/** Thrown by the flow store; the server turns it into a wire error. */
export class ServiceError extends Error {
  constructor(public readonly errorName: ServiceErrorName, message: string) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.errorName];
  }
}
