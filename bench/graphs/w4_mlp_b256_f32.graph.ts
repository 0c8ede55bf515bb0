// W4 at batch 256 in float32.
import { mlpProgram } from "./mlp.ts";

export default mlpProgram("w4_mlp_b256_f32", 256, "f32");
