import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';

describe('Emulator lifecycle', () => {
  it("goes idle → starting → running → closing → closed, emitting 'stateChange' at each step", async () => {
    const emulator = new Emulator();
    const seen: string[] = [];
    emulator.on('stateChange', (state: string) => seen.push(state));
    expect(emulator.state).toBe('idle');
    await emulator.listen();
    expect(emulator.state).toBe('running');
    await emulator.close();
    await emulator.close();
    expect(emulator.state).toBe('closed');
    expect(seen).toEqual(['starting', 'running', 'closing', 'closed']);
  });

  it("turns 'failed' when it cannot listen (the port is taken)", async () => {
    const first = new Emulator();
    await first.listen();
    try {
      const second = new Emulator({ port: Number(new URL(first.endpoint).port) });
      await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
      expect(second.state).toBe('failed');
      await second.close();
    } finally {
      await first.close();
    }
  });
});
