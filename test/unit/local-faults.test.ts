import { describe, expect, it } from 'vitest';
import { faultPlanFromEnv, withFaults } from '@ecicomm/local-platform/faults/faults';

describe('crash testing faults (lib/local/faults)', () => {
  it('reads LOCAL_FAULT_KILL_AFTER and LOCAL_FAULT_FAIL, and refuses malformed values at start', () => {
    expect(faultPlanFromEnv({})).toEqual({});
    expect(faultPlanFromEnv({ LOCAL_FAULT_KILL_AFTER: 'ChargePayment' })).toEqual({
      killAfter: { state: 'ChargePayment', nth: 1 },
    });
    expect(faultPlanFromEnv({ LOCAL_FAULT_KILL_AFTER: 'ChargePayment:3', LOCAL_FAULT_FAIL: 'ConfirmOrder:2' })).toEqual(
      {
        killAfter: { state: 'ChargePayment', nth: 3 },
        fail: { state: 'ConfirmOrder', every: 2 },
      },
    );
    for (const bad of ['', 'ChargePayment:0', 'Charge Payment', 'ChargePayment:x']) {
      if (bad) expect(() => faultPlanFromEnv({ LOCAL_FAULT_KILL_AFTER: bad })).toThrow(/LOCAL_FAULT_KILL_AFTER/);
    }
    expect(() => faultPlanFromEnv({ LOCAL_FAULT_FAIL: 'ConfirmOrder' })).toThrow(/LOCAL_FAULT_FAIL/);
  });

  it('kills after the n-th completed invocation of its state, once the work is done', async () => {
    const done: number[] = [];
    let killedAfter: number[] | undefined;
    const handler = withFaults(
      'ChargePayment',
      async (i) => (done.push(i as number), i),
      { killAfter: { state: 'ChargePayment', nth: 2 } },
      () => (killedAfter = [...done]),
    );
    await handler(1);
    expect(killedAfter).toBeUndefined();
    await handler(2);
    expect(killedAfter).toEqual([1, 2]);
  });

  it('fails every n-th invocation of its state with InjectedFault, without running it; other states are untouched', async () => {
    let ran = 0;
    const real = async () => ++ran;
    const confirm = withFaults('ConfirmOrder', real, { fail: { state: 'ConfirmOrder', every: 2 } });
    expect(await confirm({})).toBe(1);
    await expect(confirm({})).rejects.toMatchObject({ name: 'InjectedFault' });
    expect(ran).toBe(1);
    expect(withFaults('ReserveInventory', real, { fail: { state: 'ConfirmOrder', every: 2 } })).toBe(real);
  });
});
