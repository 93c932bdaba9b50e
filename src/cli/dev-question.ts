import { createInterface, type Interface } from 'node:readline';

/**
 * The question `kiln dev` asks before a schema change that destroys data. On a
 * terminal it is a y/N prompt. Without one (an editor's task runner, CI, a pipe)
 * the app keeps the last good model and the message says how to accept: a `y`
 * line on standard input (a pipe can answer too), or `--accept-destructive`.
 * Lines arriving while nothing is asked are ignored, so a stray Enter cannot
 * accept a question asked later.
 */
export class DestructiveQuestion {
  private readonly lines: Interface | undefined;
  private asking = false;

  constructor(
    private readonly input: NodeJS.ReadStream,
    private readonly output: NodeJS.WritableStream,
    private readonly answered: (yes: boolean) => Promise<void>,
  ) {
    // terminal: false: the terminal keeps its own line editing and Ctrl-C (SIGINT) stays with the process.
    this.lines = input.readable ? createInterface({ input, terminal: false }) : undefined;
    this.lines?.on('line', (line) => {
      if (!this.asking) return;
      this.asking = false;
      void this.answered(/^\s*(y|yes)\s*$/i.test(line));
    });
  }

  ask(losses: readonly string[]): void {
    this.asking = true;
    const list = losses.map((l) => `  - ${l}`).join('\n');
    if (this.input.isTTY) {
      this.output.write(`this save would destroy data:\n${list}\napply it and lose that data? [y/N] `);
    } else {
      this.output.write(
        `this save would destroy data:\n${list}\nnot applied: the app keeps running the last good model. ` +
          "To apply it, send a line 'y' on standard input, or run kiln dev with --accept-destructive. " +
          'If an entity or attribute was renamed, give it `previousName` in the model instead (this keeps the data).\n',
      );
    }
  }

  /** A newer save replaces the question (its model is no longer the one asked about). */
  cancel(): void {
    if (this.asking && this.input.isTTY) this.output.write('\n(superseded by a newer save)\n');
    this.asking = false;
  }

  close(): void {
    this.lines?.close();
  }
}
