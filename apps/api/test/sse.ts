// A Server-Sent Events client for the tests, over a real socket (fetch), parsing the stream as the HTML standard
// says: `field: value` lines, blocks ended by a blank line, `:` comments.
export interface SseMessage {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
  /** The `id:` of this block, if it had one. */
  id: string | undefined;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** Dispatched messages (blocks with data), in order. */
  messages: SseMessage[];
  /** Comment lines (without the colon), in order. */
  comments: string[];
  /** The last event id seen (also from id-only blocks), as an EventSource keeps it. */
  lastEventId(): string | undefined;
  /** When each message arrived (Date.now()), parallel to `messages`. */
  arrivals: number[];
  /** Resolves when `predicate` holds for the messages so far; rejects after `timeoutMs`. */
  waitFor(predicate: (messages: SseMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** Opens `GET url` with `headers` and parses its event stream until it ends or `close()`. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const messages: SseMessage[] = [];
  const arrivals: number[] = [];
  const comments: string[] = [];
  let lastId: string | undefined;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let endedResolve: () => void = () => {};
  const ended = new Promise<void>((r) => {
    endedResolve = r;
  });
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    (async () => {
      let buffer = '';
      let block: { event?: string; data: string[]; id?: string } = { data: [] };
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let nl = buffer.indexOf('\n');
          while (nl >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, '');
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf('\n');
            if (line === '') {
              if (block.id !== undefined) lastId = block.id;
              if (block.data.length > 0) {
                messages.push({ event: block.event ?? 'message', data: block.data.join('\n'), id: block.id });
                arrivals.push(Date.now());
              }
              block = { data: [] };
              notify();
              continue;
            }
            if (line.startsWith(':')) {
              comments.push(line.slice(1).trim());
              notify();
              continue;
            }
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') block.event = val;
            else if (field === 'data') block.data.push(val);
            else if (field === 'id') block.id = val;
          }
        }
      } catch {
        // aborted
      }
      endedResolve();
      notify();
    })();
  } else {
    endedResolve();
  }
  return {
    status: res.status,
    headers: res.headers,
    messages,
    arrivals,
    comments,
    lastEventId: () => lastId,
    ended,
    waitFor(predicate, timeoutMs = 5000) {
      if (predicate(messages)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `SSE: condition not met within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.event))}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          if (predicate(messages)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}

/** The parsed `data` of a message. */
export function payload(message: SseMessage): {
  id: string;
  type: string;
  at: string;
  job_name: string | null;
  run_id: string | null;
  data: Record<string, unknown>;
} {
  return JSON.parse(message.data);
}
