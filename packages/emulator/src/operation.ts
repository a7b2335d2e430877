// The one shape of an API operation, shared by the activity operations and the state
// machine engine: the HTTP layer looks the operation up by name and calls it.

/** What a long-poll operation needs from its HTTP exchange; short operations ignore it. */
interface OperationContext {
  /** Registers a callback for a client that leaves before its reply. */
  onClientGone(callback: () => void): void;
}

/** An operation's answer that is not a reply body: end the exchange with no response. */
export const NO_RESPONSE = Symbol('no response');

/** Answers a parsed request body with a reply body, a Promise of one, or `NO_RESPONSE`; throws service errors. */
export type OperationHandler = (body: Record<string, unknown>, context: OperationContext) => unknown;
