// Task tokens: opaque, URL-safe and unguessable, yet resolvable in O(1): a task id
// plus an HMAC over it under a key only this emulator instance knows.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ID_BYTES = 8;
const MAC_BYTES = 24;
const TOKEN_BYTES = ID_BYTES + MAC_BYTES;
/** Fixed token length in characters (base64url of 32 bytes, no padding). */
const TASK_TOKEN_CHARS = Math.ceil((TOKEN_BYTES * 4) / 3);

export class TaskTokenCodec {
  private readonly key = randomBytes(32);

  /** The token for task `id` (a non-negative safe integer). */
  encode(id: number): string {
    const buffer = Buffer.allocUnsafe(TOKEN_BYTES);
    buffer.writeBigUInt64BE(BigInt(id), 0);
    this.mac(buffer.subarray(0, ID_BYTES)).copy(buffer, ID_BYTES, 0, MAC_BYTES);
    return buffer.toString('base64url');
  }

  /**
   * The task id in `token`, or undefined when the token was not made by this codec
   * (a forged, truncated or foreign token: the service answers InvalidToken).
   */
  decode(token: string): number | undefined {
    if (token.length !== TASK_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const buffer = Buffer.from(token, 'base64url');
    if (buffer.length !== TOKEN_BYTES) return undefined;
    const expected = this.mac(buffer.subarray(0, ID_BYTES)).subarray(0, MAC_BYTES);
    if (!timingSafeEqual(expected, buffer.subarray(ID_BYTES))) return undefined;
    const id = buffer.readBigUInt64BE(0);
    return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : undefined;
  }

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }
}
