// W4 in float32: the MLP step of w4_mlp.graph.ts, batch 64, every value and kernel in float32.
import { mlpProgram } from "./mlp.ts";

export default mlpProgram("w4_mlp_f32", 64, "f32");
