// A Server-Sent Events parser for a streamed response body (the HTML standard's rules: `field: value` lines, a
// blank line dispatches, `:` starts a comment, `id` is remembered even by blocks without data).

/** One dispatched message. */
export interface SseMessage {
  /** `event:`, or `message` when absent. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/** What the parser reports. */
export interface SseHandlers {
  /** A block with data. */
  message(message: SseMessage): void;
  /** The last event id changed (an `id:` line, also in a block without data). */
  id(id: string): void;
}

/** Feeds text chunks in; calls the handlers as blocks complete. */
export function createSseParser(handlers: SseHandlers): (chunk: string) => void {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const nl = buffer.search(/\r\n|\r|\n/);
      if (nl < 0) return;
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (id !== undefined) handlers.id(id);
        if (data.length > 0) handlers.message({ event: event || 'message', data: data.join('\n') });
        event = '';
        data = [];
        id = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  };
}
