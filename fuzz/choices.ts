// The decisions behind one random program: a list of numbers that fast-check draws and shrinks.
// Every list decodes to a valid program (an exhausted list answers 0, the simplest choice), so
// shrinking the list shrinks the program.

export class Choices {
  private next = 0;

  constructor(private readonly numbers: readonly number[]) {}

  /** A whole number in [0, n). */
  int(n: number): number {
    if (n <= 1) return 0;
    const value = this.numbers[this.next++] ?? 0;
    return value % n;
  }

  /** True with probability about `p` (false once the list is exhausted). */
  chance(p: number): boolean {
    return this.int(1000) >= 1000 * (1 - p);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A number from `values` (kept short and exact, so programs print readably). */
  number(values: readonly number[] = [0.5, -1, 2, 0.3, -0.7, 1.5]): number {
    return this.pick(values);
  }

  get exhausted(): boolean {
    return this.next >= this.numbers.length;
  }
}
