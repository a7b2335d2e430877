// The IPC messages between a benchmark and its child processes, and the child's side of them.
// It imports nothing, so a child's RSS read before it loads a part is that of the bare process.

export interface ChildRequest {
  id: number;
  command: string;
  args: Record<string, unknown>;
}

/** What every child sends: id 0 once ready, then one reply per request id. */
export type ChildReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * The child's side: answers each request with what `handle` returns or throws, sends `ready` as
 * id 0, and exits when the parent closes the channel or goes away, so a child never outlives
 * its benchmark (held polls included).
 */
export function serveParent<Request extends { id: number }>(
  handle: (request: Request) => unknown,
  ready: unknown = 'ready',
): void {
  const reply = (response: ChildReply): void => {
    process.send?.(response);
  };
  process.on('message', (request: Request) => {
    Promise.resolve()
      .then(() => handle(request))
      .then(
        (result) => reply({ id: request.id, ok: true, result }),
        (error: unknown) =>
          reply({
            id: request.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  reply({ id: 0, ok: true, result: ready });
}
