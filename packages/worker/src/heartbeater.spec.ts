import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeater } from './heartbeater.js';

describe('Heartbeater', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function make(send: () => Promise<void> = () => Promise.resolve()) {
    const events = { gone: [] as unknown[], errors: [] as unknown[] };
    const heartbeater = new Heartbeater({
      intervalMs: 1_000,
      minGapMs: 100,
      send,
      onGone: (error) => events.gone.push(error),
      onError: (error) => events.errors.push(error),
    });
    return { heartbeater, events };
  }

  it('sends automatic heartbeats every interval while running, and none after stop', async () => {
    const send = vi.fn(() => Promise.resolve());
    const { heartbeater } = make(send);
    heartbeater.start();
    await vi.advanceTimersByTimeAsync(3_050);
    expect(send).toHaveBeenCalledTimes(3);
    heartbeater.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('sends the first requested heartbeat at once', async () => {
    const send = vi.fn(() => Promise.resolve());
    const { heartbeater } = make(send);
    heartbeater.start();
    heartbeater.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(1);
    heartbeater.stop();
  });

  it('coalesces a burst of requests into one heartbeat per gap', async () => {
    const send = vi.fn(() => Promise.resolve());
    const { heartbeater } = make(send);
    heartbeater.start();
    await vi.advanceTimersByTimeAsync(200);
    for (let i = 0; i < 1_000; i += 1) heartbeater.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 1_000; i += 1) heartbeater.request();
    await vi.advanceTimersByTimeAsync(99);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(send).toHaveBeenCalledTimes(2);
    heartbeater.stop();
  });

  it('reports a task-gone answer once and stops', async () => {
    const gone = Object.assign(new Error('gone'), { name: 'TaskTimedOut' });
    const send = vi.fn(() => Promise.reject(gone));
    const { heartbeater, events } = make(send);
    heartbeater.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events.gone).toEqual([gone]);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('keeps going after a transient error', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const send = vi.fn().mockRejectedValueOnce(throttled).mockResolvedValue(undefined);
    const { heartbeater, events } = make(send as () => Promise<void>);
    heartbeater.start();
    await vi.advanceTimersByTimeAsync(2_050);
    expect(events.errors).toEqual([throttled]);
    expect(send).toHaveBeenCalledTimes(2);
    heartbeater.stop();
  });
});
