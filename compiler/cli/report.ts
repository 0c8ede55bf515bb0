// `adjoint compile --report`: what the compiler did to each file, as text.
import type { CompiledFile } from "./compile.ts";

export function reportText(result: CompiledFile): string {
  throw new Error(`--report is not implemented yet (${result.input})`);
}
