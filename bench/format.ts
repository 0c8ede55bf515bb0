// Number and table formatting for the report.

/** Microseconds with three significant digits below 1000, whole with separators above. */
export function micros(us: number): string {
  if (us >= 1000) return Math.round(us).toLocaleString("en-US");
  return us.toPrecision(3);
}

/** A ratio such as 1.23×, 45×, 1,234×. */
export function ratioText(value: number): string {
  if (value >= 100) return `${Math.round(value).toLocaleString("en-US")}×`;
  if (value >= 10) return `${value.toFixed(1)}×`;
  if (value >= 0.1) return `${value.toFixed(2)}×`;
  return `${value.toPrecision(2)}×`;
}

export function millis(ms: number): string {
  return ms >= 10_000
    ? `${Math.round(ms / 1000)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll("\n", " ").replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** An error text on one line for a table cell: the line naming the error, else the last one. */
export function oneLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const line = lines.find((candidate) => /\b\w*Error\b/.test(candidate)) ?? lines.at(-1) ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
