import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/core/keyed-lock.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedLock', () => {
  it('runs holders of one key one at a time, in the order they asked', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const hold = (name: string) =>
      lock.run(['server-1'], async () => {
        events.push(`${name} in`);
        await tick();
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('lets holders of other keys run alongside', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const hold = (key: string) =>
      lock.run([key], async () => {
        events.push(`${key} in`);
        await tick();
        events.push(`${key} out`);
      });
    await Promise.all([hold('server-1'), hold('server-2')]);
    expect(events.slice(0, 2).sort()).toEqual(['server-1 in', 'server-2 in']);
  });

  it('takes several keys without deadlock, whatever order they are named in', async () => {
    const lock = new KeyedLock();
    let inside = 0;
    let most = 0;
    const hold = (keys: string[]) =>
      lock.run(keys, async () => {
        most = Math.max(most, ++inside);
        await tick();
        inside--;
      });
    await Promise.all([hold(['a', 'b']), hold(['b', 'a']), hold(['a']), hold(['b', 'b'])]);
    expect(most).toBe(1);
  });

  it('releases the key when the holder fails', async () => {
    const lock = new KeyedLock();
    await expect(lock.run(['k'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run(['k'], () => Promise.resolve('next'))).resolves.toBe('next');
  });
});
