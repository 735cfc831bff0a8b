import { waitFor } from '@marketplace/testing';

/** Reads an SSE body as text chunks, so a test can wait for what it expects. */
export class StreamReader {
  text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private readonly done: Promise<void>;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
    this.done = this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) return;
        this.text += this.decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted by the test
    }
  }

  until(fragment: string): Promise<string> {
    return waitFor(() => (this.text.includes(fragment) ? this.text : undefined), {
      what: `"${fragment}" on the stream`,
    });
  }

  /** The parsed `data:` payloads received so far. */
  events(): unknown[] {
    return this.text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as unknown);
  }

  async ended(): Promise<void> {
    await this.done;
  }
}
