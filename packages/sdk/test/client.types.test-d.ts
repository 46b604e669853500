import { describe, expectTypeOf, it } from 'vitest';
import {
  type AppCode,
  createTollboothClient,
  isTollboothError,
  type RouterOutputs,
} from '../src/index';

const client = createTollboothClient({ url: 'http://localhost:3000' });

describe('the client types', () => {
  it('types procedure outputs, with dates as ISO strings on the wire', () => {
    expectTypeOf(client.system.info.query).returns.resolves.toEqualTypeOf<
      RouterOutputs['system']['info']
    >();
    expectTypeOf<RouterOutputs['system']['info']['time']>().toEqualTypeOf<string>();
    expectTypeOf<
      RouterOutputs['system']['info']['database']['reachable']
    >().toEqualTypeOf<boolean>();
  });

  it('rejects an unknown procedure', () => {
    // @ts-expect-error no such procedure
    client.system.nope.query();
    // @ts-expect-error no such router
    client.nowhere.plans.list.query();
  });

  it('rejects a wrong input and a wrong call type', () => {
    // @ts-expect-error system.info takes no input
    client.system.info.query({ verbose: true });
    // @ts-expect-error system.info is a query, not a mutation
    client.system.info.mutate();
  });

  it('only accepts known application codes', () => {
    expectTypeOf<'NOT_FOUND'>().toMatchTypeOf<AppCode>();
    // @ts-expect-error not an application code
    isTollboothError(new Error(), 'NOT_A_CODE');
  });
});
