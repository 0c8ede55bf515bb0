// W4 at batch 256 (float64): where a framework's fixed costs matter less than its matrix products.
import { mlpProgram } from "./mlp.ts";

export const batch = 256;

export default mlpProgram("w4_mlp_b256", batch);
