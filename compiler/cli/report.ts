// `adjoint compile --report`: what the compiler did to each file, as fixed-width text.
import type { LoopReport } from "../report/loops.ts";
import { compileReport, type ArenaBytes, type EntryReport } from "../report/report.ts";
import type { CompiledFile } from "./compile.ts";

export function reportText(result: CompiledFile): string {
  const report = compileReport(result.generated);
  const entries = report.entries.length;
  const lines = [
    `Compile report: ${result.input} -> ${result.output}`,
    `program ${report.program} (${report.dtype}), ${entries} entry point${entries === 1 ? "" : "s"}`,
    `arena (all entries): ${arenaText(report.arena)}`,
    "rules fired (whole program):",
    ...table(
      report.fired.map(([rule, count]) => [rule, String(count)]),
      "  (none)",
    ),
  ];
  for (const entry of report.entries) lines.push("", ...entryLines(entry));
  return lines.join("\n");
}

function entryLines(entry: EntryReport): string[] {
  const ratio = entry.ratio === null ? "n/a" : entry.ratio.toFixed(2);
  const saved = entry.saved.map((value) =>
    value.shape.length === 0 ? value.name : `${value.name} [${value.shape.join(",")}]`,
  );
  return [
    `entry ${entry.name}`,
    "  nodes after each pass:",
    ...table(
      entry.passes.map((row, index) => [row.pass, String(row.nodes), change(entry, index)]),
      "",
    ).map((line) => `  ${line}`),
    `  operations: ${entry.forward} forward, ${entry.backward} backward (backward/forward ${ratio})`,
    `  flops (estimate): ${entry.flops.total} (forward ${entry.flops.forward}, backward ${entry.flops.backward})`,
    `  arena: ${arenaText(entry.arena)}`,
    `  saved for backward: ${saved.length === 0 ? "none" : saved.join(", ")}`,
    ...loopLines(entry.loops),
  ];
}

/** One line per loop, nested ones indented under the loop holding them. */
function loopLines(loops: readonly LoopReport[]): string[] {
  if (loops.length === 0) return [];
  const tapes = loops.reduce((total, loop) => total + loop.tapeCarries, 0);
  const bytes = loops.reduce((total, loop) => total + loop.tapeBytes, 0);
  return [
    `  loops: ${loops.length}, tapes ${tapes} carries (${bytes} B)`,
    ...loops.map((loop) => {
      const what =
        loop.op === "cond" ? "cond" : `scan of ${loop.steps} step${loop.steps === 1 ? "" : "s"}`;
      const role = loop.role === "forward" ? "" : `, ${loop.role}`;
      const at = loop.loc === undefined ? "" : ` at ${loop.loc}`;
      const tape =
        loop.op === "cond"
          ? ""
          : `: tape ${loop.tapeCarries} carries (${loop.tapeBytes} B), recompute x${loop.recompute}`;
      return `    ${"  ".repeat(loop.depth)}${what}${role}${at}${tape}`;
    }),
  ];
}

/** The change in node count from the previous pass, signed; blank for the first row. */
function change(entry: EntryReport, index: number): string {
  if (index === 0) return "";
  const delta = entry.passes[index].nodes - entry.passes[index - 1].nodes;
  return delta > 0 ? `+${delta}` : delta < 0 ? String(delta) : "";
}

function arenaText(arena: ArenaBytes): string {
  const share =
    arena.unsharedBytes === 0 ? "" : `, ${Math.round((100 * arena.bytes) / arena.unsharedBytes)}%`;
  return `${arena.bytes} B (without reuse ${arena.unsharedBytes} B${share})`;
}

/** Rows as indented columns: the first left-aligned, the others right-aligned. */
function table(rows: readonly (readonly string[])[], empty: string): string[] {
  if (rows.length === 0) return empty === "" ? [] : [empty];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    `  ${row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join("  ")}`.trimEnd(),
  );
}
