// Progress of a training run: on a terminal, one bar redrawn in place; otherwise (CI, a pipe)
// a plain line after every evaluation.
import type { Progress } from "./train.ts";

export interface ProgressSink {
  readonly isTTY: boolean;
  /** The terminal's width (process.stdout.columns); 80 when unknown. */
  readonly columns?: number;
  write(text: string): void;
}

/** Whether to draw a bar: a terminal, and not CI. */
export function interactive(stream: { readonly isTTY?: boolean }): boolean {
  return stream.isTTY === true && process.env.CI !== "true";
}

/** A progress callback for trainMnist, and `done()` to end the bar's line. */
export function progressReporter(sink: ProgressSink, redrawEveryMs = 100) {
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(progress: Progress): void {
      if (!sink.isTTY) {
        if (progress.evaluated) sink.write(`${plainLine(progress)}\n`);
        return;
      }
      const now = performance.now();
      if (!progress.evaluated && now - lastDraw < redrawEveryMs) return;
      lastDraw = now;
      drawn = true;
      sink.write(`\r${barLine(progress, sink.columns ?? 80)}\x1b[K`);
    },
    done(): void {
      if (drawn) sink.write("\n");
      drawn = false;
    },
  };
}

/** "epoch 3/12  step 375/1500  loss 0.2123  held-out 94.35%" */
export function plainLine(progress: Progress): string {
  return [
    `epoch ${progress.epoch}/${progress.epochs}`,
    `step ${progress.step}/${progress.totalSteps}`,
    `loss ${progress.loss.toFixed(4)}`,
    progress.accuracy === undefined ? "" : `held-out ${percent(progress.accuracy)}`,
  ]
    .filter((part) => part !== "")
    .join("  ");
}

/**
 * "[########............]  42%  epoch 3/12 ..." fitted to `columns`: the bar shrinks first (to 10
 * cells), then the text is cut, and the line stays one cell short of the edge, where a terminal
 * would wrap. The bar is full only at the last step.
 */
export function barLine(progress: Progress, columns = 80): string {
  const fraction = progress.totalSteps > 0 ? Math.min(1, progress.step / progress.totalSteps) : 0;
  const text = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${plainLine(progress)}`;
  const room = Math.max(1, columns - 1);
  const width = Math.max(minBarCells, Math.min(maxBarCells, room - text.length - 2));
  const filled = Math.floor(fraction * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  return `${bar}${text}`.slice(0, room);
}

const minBarCells = 10;
const maxBarCells = 24;

export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}
