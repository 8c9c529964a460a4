/**
 * Server-sent events as a client reads them: `data:` lines of one block joined, blocks split by a blank line (any
 * of CRLF, LF or CR ends a line). Events are kept as they arrive so a caller can wait for the one it expects;
 * a payload that is not JSON is kept as its text (it still proves bytes arrived).
 */

export interface SseEvents {
  /** Every payload so far, parsed as JSON (its text when it is not JSON); never undefined. */
  readonly received: readonly unknown[];
  /**
   * Resolves with the first payload (old or new) that `match` accepts, or undefined after `timeoutMs`, when the
   * stream ends, or on `signal`.
   */
  waitFor(match: (event: unknown) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<unknown>;
  /** Stops reading and releases the connection. */
  close(): void;
}

function payloadOf(block: string): string | undefined {
  const lines = block.split('\n').filter((line) => line.startsWith('data:'));
  if (lines.length === 0) return undefined;
  return lines.map((line) => line.slice(5).replace(/^ /, '')).join('\n');
}

function parse(text: string): unknown {
  try {
    return (JSON.parse(text) as unknown) ?? text;
  } catch {
    return text;
  }
}

export function readSse(body: AsyncIterable<Buffer> & { destroy(): unknown }): SseEvents {
  const received: unknown[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer = (buffer + decoder.decode(chunk, { stream: true })).replace(/\r\n?/g, '\n');
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          const payload = payloadOf(block);
          if (payload !== undefined) received.push(parse(payload));
        }
        wake();
      }
    } catch {
      // destroyed by close(), or the connection dropped: either way the stream has ended
    } finally {
      ended = true;
      wake();
    }
  })();

  return {
    received,
    waitFor(match, timeoutMs, signal) {
      return new Promise((resolve) => {
        const settle = (value: unknown) => {
          clearTimeout(timer);
          waiters.delete(check);
          signal?.removeEventListener('abort', giveUp);
          resolve(value);
        };
        const giveUp = () => settle(undefined);
        const check = () => {
          const found = received.find(match);
          if (found !== undefined) settle(found);
          else if (ended) settle(undefined);
        };
        const timer = setTimeout(giveUp, timeoutMs);
        signal?.addEventListener('abort', giveUp, { once: true });
        waiters.add(check);
        check();
      });
    },
    close() {
      body.destroy();
    },
  };
}
