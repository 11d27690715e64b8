import { setMaxListeners } from 'node:events';
import { InterruptedError } from '../core/errors.js';

/**
 * Run `fn` with a signal that aborts on the first Ctrl-C or SIGTERM, so long work stops at a
 * safe point with its state saved; a second Ctrl-C exits at once.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Every request in flight listens on the one signal: dozens at once are expected, not a leak.
  setMaxListeners(0, controller.signal);
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write(
      `\n${name}: stopping at the next safe point (state is saved; run the same command again to resume). Press Ctrl-C again to quit now.\n`,
    );
    controller.abort(new InterruptedError(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } catch (err) {
    if (controller.signal.aborted)
      throw new InterruptedError('interrupted: state is saved; run the same command again to resume', {
        cause: err,
      });
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
