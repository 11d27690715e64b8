import {
  formatBytes,
  formatDuration,
  rateAndEta,
  type ProgressEvent,
  type ProgressSink,
} from '../core/progress.js';
import type { Output } from './output.js';

interface Item {
  label: string;
  total: number | undefined;
  done: number;
  startedAt: number;
}

/**
 * A live display of transfers on a terminal (stderr): one line per running item with bytes,
 * rate and ETA, and an overall line. Off a terminal, or with --json, it prints only phases and
 * warnings as plain lines (stderr), so logs stay readable and stdout stays machine-readable.
 */
export function progressDisplay(
  output: Output,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressSink & { stop(): void } {
  const live = Boolean(stream.isTTY) && !output.json;
  const items = new Map<string, Item>();
  let finishedBytes = 0;
  const startedAt = Date.now();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  const erase = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live) return;
    erase();
    const width = stream.columns || 100;
    const lines: string[] = [];
    let done = finishedBytes;
    for (const item of items.values()) {
      const { bytesPerSecond, etaSeconds } = rateAndEta(item.startedAt, item.done, item.total);
      const pct = item.total ? ` ${Math.floor((100 * item.done) / Math.max(item.total, 1))}%` : '';
      lines.push(
        `  ${item.label}  ${formatBytes(item.done)}${item.total !== undefined ? ` / ${formatBytes(item.total)}` : ''}${pct}  ${formatBytes(bytesPerSecond)}/s  ETA ${formatDuration(etaSeconds)}`.slice(
          0,
          width - 1,
        ),
      );
      done += item.done;
    }
    if (items.size > 0) {
      const { bytesPerSecond } = rateAndEta(startedAt, done, undefined);
      lines.push(
        `  overall ${formatBytes(done)} at ${formatBytes(bytesPerSecond)}/s, ${items.size} running`.slice(
          0,
          width - 1,
        ),
      );
    }
    if (lines.length) stream.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const plain = (line: string) => {
    erase();
    stream.write(`${line}\n`);
    draw();
  };

  const sink = (event: ProgressEvent) => {
    switch (event.type) {
      case 'phase':
        plain(`== ${event.message}`);
        break;
      case 'message':
        if (event.level === 'warning' || live)
          plain(`${event.level === 'warning' ? 'warning: ' : ''}${event.message}`);
        break;
      case 'item-start':
        items.set(event.id, { label: event.label, total: event.totalBytes, done: 0, startedAt: Date.now() });
        if (live) timer ??= setInterval(draw, 250).unref();
        break;
      case 'item-bytes': {
        const item = items.get(event.id);
        if (item) item.done = event.doneBytes;
        break;
      }
      case 'item-end': {
        const item = items.get(event.id);
        items.delete(event.id);
        if (item) {
          finishedBytes += item.done;
          const seconds = (Date.now() - item.startedAt) / 1000;
          const summary = `${event.outcome === 'done' ? 'done' : event.outcome}: ${item.label} ${formatBytes(item.done)} in ${seconds.toFixed(1)} s${event.message ? ` (${event.message})` : ''}`;
          if (live || event.outcome === 'failed') plain(summary);
        }
        break;
      }
    }
  };
  return Object.assign(sink, {
    stop() {
      if (timer) clearInterval(timer);
      erase();
    },
  });
}
