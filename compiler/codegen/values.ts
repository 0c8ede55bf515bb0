// How a module writes a tensor's initial values: decimals while they are few, base64 when many.
//
// A long list of weights is most of a module's text when written as decimals (a float64's shortest
// round-trip decimal is ~20 characters and a separator); its eight bytes in base64 are 10.7. So a
// param's or constant's values past `decimalsUpTo` are written as little-endian float64 bytes in
// base64, which the runtime's setBase64Values decodes once per instance: exact, and the module's
// size is the program's, not its data's.
import { Buffer } from "node:buffer";

/** Up to this many values are written as decimals, readable where they are. */
export const decimalsUpTo = 64;

/** Base64 digits a line: 72 bytes, nine float64 values. */
const digitsPerLine = 96;

/** True when `values` are written as base64 (and the module imports the runtime's decoder). */
export function writtenAsBase64(values: readonly number[]): boolean {
  return values.length > decimalsUpTo;
}

/** The statement that fills `view` with `values`; `decoder` is the module's setBase64Values. */
export function fillStatement(view: string, values: readonly number[], decoder: string): string {
  if (values.length === 1) return `${view}.fill(${decimal(values[0])});`;
  if (!writtenAsBase64(values)) return `${view}.set([${values.map(decimal).join(", ")}]);`;
  const text = base64(values);
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += digitsPerLine)
    lines.push(text.slice(at, at + digitsPerLine));
  return [
    `// ${view}: ${values.length} float64 values, little-endian, in base64 (exact)`,
    `${decoder}(${view}, \`\n${lines.join("\n")}\n\`);`,
  ].join("\n");
}

function decimal(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

function base64(values: readonly number[]): string {
  const bytes = new Uint8Array(values.length * 8);
  const data = new DataView(bytes.buffer);
  values.forEach((value, i) => data.setFloat64(8 * i, value, true));
  return Buffer.from(bytes).toString("base64");
}
