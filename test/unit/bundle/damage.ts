/** Ways to damage a bundle on disk, as a bad disk, a careless copy or an attacker would. */
import { open, truncate, unlink } from 'node:fs/promises';

export async function flipByte(path: string, at: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, at);
    one[0] = one[0]! ^ 0xff;
    await handle.write(one, 0, 1, at);
  } finally {
    await handle.close();
  }
}

export async function cutTo(path: string, size: number): Promise<void> {
  await truncate(path, size);
}

export async function remove(path: string): Promise<void> {
  await unlink(path);
}
