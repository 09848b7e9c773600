import type { Logger } from "../backends/types.js";

/**
 * The CLI's logger: plain lines (with the phase name as a header) so the output reads the same on a
 * terminal and in a CI log. On a terminal a single progress line is redrawn in place.
 */
export class ConsoleLogger implements Logger {
  private progressShown = false;
  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly verbose = Boolean(process.env.MILVUS_CDC_DRILL_DEBUG),
  ) {}

  private line(text: string): void {
    this.clearProgress();
    this.out.write(`${text}\n`);
  }
  info(message: string): void {
    this.line(`  ${message}`);
  }
  warn(message: string): void {
    this.line(`  warning: ${message}`);
  }
  debug(message: string): void {
    if (this.verbose) this.line(`  debug: ${message}`);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.line(`== ${name}`);
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      this.line(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  /** Redrawn in place on a TTY; not shown at all otherwise (the phase lines already tell the story). */
  progress(text: string): void {
    if (!this.out.isTTY) return;
    this.out.write(`\r\u001b[2K${text}`);
    this.progressShown = true;
  }
  private clearProgress(): void {
    if (this.progressShown) {
      this.out.write("\r\u001b[2K");
      this.progressShown = false;
    }
  }
}
