import { describe, expect, it } from 'vitest';
import { compileActivityProcessorOptions } from './processor-options.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

describe('compileActivityProcessorOptions', () => {
  it('checks connection options without opening a client (compiling stays pure)', () => {
    const compiled = compileActivityProcessorOptions({
      sfn: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials },
    });
    expect(compiled.sfn).toMatchObject({
      kind: 'connection',
      options: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 3 },
    });
    expect(Object.keys(compiled)).not.toContain('ownedClient');
    expect(Object.keys(compiled)).not.toContain('sender');
  });

  it('keeps a given sender as it is', () => {
    const sender = {
      sendTaskSuccess: () => Promise.resolve(),
      sendTaskFailure: () => Promise.resolve(),
      sendTaskHeartbeat: () => Promise.resolve(),
    };
    expect(compileActivityProcessorOptions({ sfn: { sender } }).sfn).toEqual({ kind: 'sender', sender });
  });

  it('names a bad connection option under sfn.', () => {
    expect(() => compileActivityProcessorOptions({ sfn: { endpoint: 'localhost:8083' } })).toThrow(
      expect.objectContaining({ name: 'InvalidWorkerOptionError', option: 'sfn.endpoint' }),
    );
  });
});
