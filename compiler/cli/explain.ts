// `adjoint explain FILE [--entry NAME]`: each derivative of a scalar graph as a simplified formula.

export async function runExplain(argv: readonly string[]): Promise<number> {
  throw new Error(`explain is not implemented yet (${argv.join(" ")})`);
}
