import { describe, expect, it } from 'vitest';
import { serviceErrors } from './service-error.js';

describe('serviceErrors', () => {
  it('says "injected" only in the fault injector’s answers', () => {
    const unexpected = serviceErrors.internalFailure(new RangeError('Maximum call stack size exceeded'));
    expect(unexpected).toMatchObject({ errorName: 'InternalFailure', httpStatus: 500 });
    expect(unexpected.message).toContain('RangeError: Maximum call stack size exceeded');
    expect(serviceErrors.shuttingDown()).toMatchObject({ errorName: 'ServiceUnavailable', httpStatus: 503 });
    for (const error of [unexpected, serviceErrors.shuttingDown()])
      expect(error.message).not.toMatch(/inject/i);
    for (const error of [
      serviceErrors.injectedInternalFailure(),
      serviceErrors.injectedServiceUnavailable(),
    ]) {
      expect(error.message).toContain('(injected)');
    }
  });
});
