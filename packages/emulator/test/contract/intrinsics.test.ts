// Contract: intrinsic functions in JSONPath states (Parameters of a Pass state), and States.IntrinsicFailure
// for a bad argument. AWS page, with the examples these expectations follow:
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
import { describe, expect, it } from 'vitest';
import { machinesRunnable, useMachines } from './machines.js';

const passWith = (parameters: object) => ({
  StartAt: 'Call',
  States: { Call: { Type: 'Pass', Parameters: parameters, End: true } },
});

describe.skipIf(!machinesRunnable)('intrinsic functions', () => {
  const kit = useMachines();

  async function run(parameters: object, input: unknown) {
    const machine = await kit.createMachine(passWith(parameters));
    return kit.finished(await kit.start(machine, input));
  }

  it('evaluates the documented functions on paths, literals and nested calls', async () => {
    const done = await run(
      {
        'format.$': "States.Format('Hello, my name is {}. \\{literal\\} {}', $.name, 42)",
        'fromJson.$': 'States.StringToJson($.json)',
        'toJson.$': 'States.JsonToString($.obj)',
        'array.$': "States.Array('Foo', 2020, $.obj, null)",
        'partition.$': 'States.ArrayPartition($.nums, 2)',
        'contains.$': 'States.ArrayContains($.nums, 3)',
        'range.$': 'States.ArrayRange(1, 9, 2)',
        'item.$': 'States.ArrayGetItem($.nums, 1)',
        'length.$': 'States.ArrayLength($.nums)',
        'unique.$': 'States.ArrayUnique($.dups)',
        'b64.$': "States.Base64Encode('Data to encode')",
        'unb64.$': "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')",
        'hash.$': "States.Hash('input data', 'SHA-1')",
        'merged.$': 'States.JsonMerge($.obj, $.more, false)',
        'sum.$': 'States.MathAdd($.n, -1)',
        'split.$': "States.StringSplit('1,2,3,4,5', ',')",
        'nested.$': "States.ArrayLength(States.Array($.n, 'x', States.MathAdd(1, 2)))",
        'uuid.$': 'States.UUID()',
        'random.$': 'States.MathRandom(1, 999)',
      },
      {
        name: 'Arnav',
        json: '{"number": 20}',
        obj: { a: 1 },
        more: { b: 2 },
        nums: [1, 2, 3, 4, 5],
        dups: [1, 2, 2, 'a', 'a', { k: 1 }, { k: 1 }],
        n: 111,
      },
    );
    expect(done.status).toBe('SUCCEEDED');
    const out = JSON.parse(done.output!) as Record<string, unknown>;
    expect(out).toMatchObject({
      format: 'Hello, my name is Arnav. {literal} 42',
      fromJson: { number: 20 },
      toJson: '{"a":1}',
      array: ['Foo', 2020, { a: 1 }, null],
      partition: [[1, 2], [3, 4], [5]],
      contains: true,
      range: [1, 3, 5, 7, 9],
      item: 2,
      length: 5,
      unique: [1, 2, 'a', { k: 1 }],
      b64: 'RGF0YSB0byBlbmNvZGU=',
      unb64: 'Data to encode',
      hash: 'aaff4a450a104cd177d28d18d74485e8cae074b7',
      merged: { a: 1, b: 2 },
      sum: 110,
      split: ['1', '2', '3', '4', '5'],
      nested: 3,
    });
    expect(out['uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out['random']).toSatisfy(
      (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) < 999,
    );
  });

  it.each([
    ['ArrayGetItem out of bounds', { 'x.$': 'States.ArrayGetItem($.nums, 9)' }],
    ['MathAdd on a string', { 'x.$': "States.MathAdd($.nums, 'a')" }],
    ['StringToJson on text that is not JSON', { 'x.$': "States.StringToJson('{nope')" }],
    ['Format with too few arguments', { 'x.$': "States.Format('{} and {}', 'one')" }],
  ])('fails the execution with States.IntrinsicFailure: %s', async (_label, parameters) => {
    const done = await run(parameters, { nums: [1, 2] });
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.IntrinsicFailure' });
  });
});
